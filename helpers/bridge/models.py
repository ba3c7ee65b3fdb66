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

from .layers import keras_layer, spec_of

__all__ = ["keras_model", "trace_model", "error_text", "FROM_KERAS", "WILL_FAIL"]

FROM_KERAS = "shape from Keras"
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


def _rebuild(model: Any, input_shape: S.Shape) -> Any:
    """The same architecture on a concrete input size (weights are not needed for shapes)."""
    import keras

    try:
        return keras.models.clone_model(model, input_tensors=keras.Input(shape=input_shape))
    except Exception as e:  # Keras raises ValueError, TypeError or TF errors here
        raise S.ShapeError(f"input_shape={input_shape}: the model cannot be built at this size. "
                           f"Keras says: {error_text(e).splitlines()[0]}") from None


def _keras_shape(tensor: Any) -> tuple:
    if isinstance(tensor, (list, tuple)):
        return tuple(_keras_shape(t) for t in tensor)
    return tuple(tensor.shape[1:])


def _producer(tensor: Any) -> str | None:
    """Name of the layer that produced a symbolic Keras tensor."""
    history = getattr(tensor, "_keras_history", None)
    return getattr(history[0], "name", None) if history else None


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


def trace_model(model: Any, input_shape: S.Shape | None = None) -> S.Trace:
    """The rows of trace() read from a real Keras model (Sequential or functional).

    Conv, pooling, transposed-conv, upsampling, crop/pad/resize layers get their
    formula; other layers (BatchNormalization, Add, ...) show the shapes Keras
    reports and the formula "shape from Keras". A layer that Keras builds but that
    fails when it runs (on every CPU, or on the CPUs without oneDNN) says why in its
    formula. Give `input_shape` to trace a model built on keras.Input((None, None, C))
    at one concrete size.
    """
    if input_shape is not None:
        model = _rebuild(model, S.as_shape(input_shape))
    if not getattr(model, "inputs", None):
        raise S.ShapeError("the model has no input shape yet; build it on keras.Input((H, W, C)) "
                           "or pass input_shape=(H, W, C) to trace_model.")
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        try:
            ins, out = _keras_shape(layer.input), _keras_shape(layer.output)
        except (AttributeError, ValueError):  # a layer shared by several calls
            rows.append(S.TraceRow(layer.name, kind, (), (), FROM_KERAS, False))
            continue
        formula, skip = _formula(layer, ins, out), None
        if isinstance(ins[0] if ins else None, tuple):  # merge layers
            formula = f"merge of {len(ins)} inputs"
            if kind == "Concatenate":
                formula = "channels " + " + ".join(str(s[-1]) for s in ins) + f" = {out[-1]}"
                skip = _producer(layer.input[-1])
        row = S.TraceRow(layer.name, kind, ins, out, formula, False, skip)
        rows.append(replace(row, changed=row.spatial_in != row.spatial_out if ins and out
                            else ins != out))
    return S.Trace(_keras_shape(model.inputs[0]), tuple(rows))
