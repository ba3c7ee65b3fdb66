"""Specs to a Keras model, and a Keras model to a trace: the model-sized crossings.

>>> from helpers.shapes import Conv2D, MaxPooling2D
>>> model = keras_model((28, 28, 1), [Conv2D(8, 3, strides=2), MaxPooling2D(2)])
>>> trace_model(model).output_shape
(6, 6, 8)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from helpers import shapes as S
from helpers.shapes import size_text

from .layers import keras_layer, spec_of

__all__ = ["keras_model", "trace_model", "trace_model_until",
           "trace_model_links", "trace_model_failure", "error_text", "FROM_KERAS",
           "WILL_FAIL", "CANNOT_RUN"]

FROM_KERAS = "shape from Keras"
CANNOT_RUN = "cannot run: "  # the formula of the row of the layer that fails at this size
WILL_FAIL = "builds, but will fail: "  # a layer Keras builds that fails when it runs
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def error_text(exc: BaseException | str) -> str:
    """A Keras or TensorFlow error's message without the ANSI bold codes Keras puts in it.

    >>> error_text("\\x1b[1mIncompatible shapes\\x1b[0m")
    'Incompatible shapes'
    """
    return _ANSI.sub("", str(exc)).strip()


def keras_model(input_shape: S.Shape, layers: Sequence[S.Layer], name: str = "traced",
                activation: str | None = None) -> Any:
    """A functional Keras model built from specs (skips and every merge included), with
    trace()'s names.

    The shape engine is asked first, so nothing it refuses reaches Keras. `activation`
    goes to every layer that takes one (see keras_layer). A Concatenate with
    crop_skip=True crops its skip first, with a Cropping2D named after it ("join0_crop").

    >>> from helpers.shapes import unet_specs
    >>> keras_model((75, 75, 3), unet_specs(1, cure="crop")).get_layer("join0_crop").cropping
    ((0, 1), (0, 1))
    """
    import keras

    rows = S.trace(input_shape, layers)  # refuse what the shape engine refuses, before Keras
    x = inputs = keras.Input(shape=S.as_shape(input_shape))
    outputs: dict[str, Any] = {}
    for layer, layer_name, row in zip(layers, S.layer_names(layers), rows):
        if isinstance(layer, S.Merge):  # Add, Multiply, ..., Concatenate: [running map, skip]
            skip = outputs[layer.skip]
            if isinstance(layer, S.Concatenate):
                cropping = layer.skip_cropping(*row.input_shape)
                if cropping != ((0, 0), (0, 0)):  # crop_skip: the skip, cut to the running map
                    skip = keras_layer(S.Cropping2D(cropping), name=f"{layer_name}_crop")(skip)
            x = keras_layer(layer, name=layer_name)([x, skip])
        else:
            x = keras_layer(layer, activation, name=layer_name)(x)
        outputs[layer_name] = x
    return keras.Model(inputs, x, name=name)


def _formula(layer: Any, ins: tuple, out: tuple) -> str:
    """The engine's formula for a Keras layer, or why the engine refuses what Keras built."""
    spec = spec_of(layer)
    if spec is None or len(ins) != 3 or None in ins[:2]:
        return FROM_KERAS
    try:
        if spec.output_shape(ins)[:2] == out[:2]:
            return spec.formula(ins)
    except S.ShapeError as e:  # Keras builds it, but it fails when run (on some CPUs)
        return f"{WILL_FAIL}{e}"
    return FROM_KERAS


def trace_model_until(model: Any, input_shape: S.Shape | None = None
                      ) -> tuple[S.Trace, S.ShapeError | None]:
    """The rows of trace_model up to the first layer that cannot run at this size, and
    why (None when every layer runs): the model's own layers, nothing rebuilt.

    >>> import keras
    >>> inputs = keras.Input((None, None, 1))
    >>> pooled = keras.layers.MaxPooling2D(2, name="p2")(keras.layers.MaxPooling2D(2)(inputs))
    >>> t, error = trace_model_until(keras.Model(inputs, pooled), (3, 3, 1))
    >>> len(t), str(error).split(":")[1].split(";")[0].strip()
    (1, "layer 'p2' (MaxPooling2D) cannot run on 1x1x1")
    """
    steps, failure, shape = _steps(model, input_shape)
    return _rows(steps, failure, shape)


def _rows(steps: list, failure: Any, input_shape: tuple) -> tuple[S.Trace, S.ShapeError | None]:
    rows = []
    for step in steps:
        ins, out, kind = step.input_shape, step.output_shape, type(step.layer).__name__
        formula = _formula(step.layer, ins, out)
        if isinstance(ins[0] if ins else None, tuple):  # merge layers
            formula = f"merge of {len(ins)} inputs"
            if kind == "Concatenate":
                formula = "channels " + " + ".join(str(s[-1]) for s in ins) + f" = {out[-1]}"
        row = S.TraceRow(step.name, kind, ins, out, formula, False, step.skip)
        rows.append(replace(row, changed=row.spatial_in != row.spatial_out if ins and out
                            else ins != out))
    error = None
    if failure is not None:
        said = error_text(failure.message).splitlines()[0]
        error = S.ShapeError(f"input_shape={input_shape}: layer '{failure.name}' ({failure.kind}) "
                             f"cannot run on {size_text(failure.input_shape)}; Keras says: {said} "
                             "Trace another input size, or change that layer.")
    return S.Trace(input_shape, tuple(rows)), error


def _steps(model: Any, input_shape: S.Shape | None) -> tuple[list, Any, tuple]:
    import keras

    from .graph import graph_of, walk

    graph = graph_of(model)
    if graph is None and not isinstance(model, keras.Sequential):
        raise S.ShapeError(f"model={type(model).__name__}: a subclassed model (its own call()) "
                           "has no graph of layers to read; write it as a functional or "
                           "Sequential model, or use it as one layer inside one.")
    if graph is None:
        raise S.ShapeError("the Sequential model has no input shape yet; start it with "
                           "keras.Input((None, None, C)) (then pass input_shape=(H, W, C) "
                           "here) or call model.build((None, H, W, C)) first.")
    shapes = [tuple(x.shape[1:]) for x in graph.inputs]
    if input_shape is not None:
        given = S.as_shape(input_shape)
        if len(shapes) != 1 or len(given) != len(shapes[0]):
            raise S.ShapeError(f"input_shape={given} does not fit the model's input "
                               f"{shapes}; give one (H, W, C) for a one-input model.")
        shapes = [given]
    steps, failure = walk(model, shapes)
    return steps, failure, shapes[0]


def trace_model_links(model: Any, input_shape: S.Shape | None = None) -> tuple[S.Trace, list]:
    """trace_model's rows, and for each row (source row name or None for the model input,
    the layer's nominal (H, W) scale from graph.scale_of): what the doctor walks back.

    >>> import keras
    >>> model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.MaxPooling2D(2)])
    >>> trace_model_links(model)[1]
    [(None, (Fraction(1, 2), Fraction(1, 2)))]
    """
    from .graph import scale_of

    steps, failure, shape = _steps(model, input_shape)
    t, error = _rows(steps, failure, shape)
    if error is not None:
        raise error
    return t, [(s.source, scale_of(s.layer)) for s in steps]


def trace_model_failure(model: Any, input_shape: S.Shape | None = None
                        ) -> tuple[S.Trace, list, S.TraceRow | None]:
    """trace_model_links that does not stop at a layer that cannot run at this size: the
    rows before it, then its own row (output (), formula CANNOT_RUN and why), and that
    row (None when every layer runs). The links cover the rows before it.

    >>> import keras
    >>> x = keras.Input((None, None, 1))
    >>> model = keras.Model(x, keras.layers.Add(name="res")([keras.layers.MaxPooling2D(2)(x), x]))
    >>> t, links, failed = trace_model_failure(model, (9, 9, 1))
    >>> len(t), failed.name, failed.formula
    (2, 'res', 'cannot run: cannot join 4x4x1 with 9x9x1')
    """
    from .graph import scale_of

    steps, failure, shape = _steps(model, input_shape)
    t, _ = _rows(steps, failure, shape)
    links = [(s.source, scale_of(s.layer)) for s in steps]
    if failure is None:
        return t, links, None
    ins = failure.input_shape
    said = (f"cannot join {' with '.join(size_text(s) for s in ins)}"
            if ins and isinstance(ins[0], tuple) else f"cannot run on {size_text(ins)}")
    row = S.TraceRow(failure.name, failure.kind, ins, (), f"{CANNOT_RUN}{said}", False)
    return S.Trace(shape, (*t.rows, row)), links, row


def trace_model(model: Any, input_shape: S.Shape | None = None) -> S.Trace:
    """The rows of trace() read from a real Keras model (Sequential or functional).

    Conv, pooling, transposed-conv, upsampling, crop/pad/resize layers get their
    formula; other layers (BatchNormalization, Add, ...) show the shapes Keras
    reports and the formula "shape from Keras". A layer that Keras builds but that
    fails when it runs (on every CPU, or on the CPUs without oneDNN) says why in its
    formula. Give `input_shape` to trace a model built on keras.Input((None, None, C))
    at one concrete size. The model's own layer objects are used (nothing is rebuilt,
    no weight is made); a nested model shows its own layers, named "outer/inner".
    ShapeError names the first layer that cannot run at this size.

    >>> import keras
    >>> inputs = keras.Input((None, None, 3))
    >>> model = keras.Model(inputs, keras.layers.Conv2D(4, 3)(inputs))
    >>> trace_model(model, (32, 32, 3)).output_shape
    (30, 30, 4)
    """
    t, error = trace_model_until(model, input_shape)
    if error is not None:
        raise error
    return t
