"""A learner's Keras model read as a chain of specs, and rebuilt with one edit.

`model_specs(model)` reads a Sequential or functional model (skips and merges
included) into the specs `helpers.shapes.trace` follows, or None when it is not a
chain with skips. `edited_model(model, edits, ...)` rebuilds it with some layers'
configuration changed (`layer.get_config()` edited), a ZeroPadding2D in front, a
Cropping2D at the end or cropped skips, copying every weight whose shape still fits.

>>> import keras
>>> inputs = keras.Input((16, 16, 1))
>>> x = keras.layers.Conv2D(4, 3, padding="valid", name="c1")(inputs)
>>> model = keras.Model(inputs, keras.layers.Conv2D(1, 3, padding="same", name="c2")(x))
>>> [s.name for s in model_specs(model)]
['c1', 'c2']
>>> edited_model(model, {"c1": {"padding": "same"}}).output_shape
(None, 16, 16, 1)
"""

from __future__ import annotations

from typing import Any

from helpers import shapes as S

from .layers import spec_of

__all__ = ["model_specs", "edited_model"]

_SAME_SIZE = {"BatchNormalization", "Activation", "Dropout", "ReLU", "LeakyReLU", "PReLU", "ELU",
              "Softmax", "LayerNormalization", "GroupNormalization", "SpatialDropout2D",
              "GaussianNoise", "GaussianDropout", "Rescaling", "Normalization", "Identity"}
_MERGES = {"Concatenate", "Add", "Multiply", "Average", "Subtract", "Maximum", "Minimum"}


def _producers(layer: Any) -> list[str] | None:
    try:
        tensors = layer.input
    except (AttributeError, ValueError):  # a layer shared by several calls
        return None
    tensors = tensors if isinstance(tensors, (list, tuple)) else [tensors]
    names = [getattr(getattr(t, "_keras_history", None), "operation", None) for t in tensors]
    return [getattr(op, "name", None) for op in names]


def model_specs(model: Any) -> list[S.Layer] | None:
    """The model's layers as specs, in order, with each merge as a Concatenate(skip=...)
    of the running map and the layer it joins; layers that keep the size (BatchNorm,
    activations, dropout) are left out. None when the model is not one chain with skips
    (branches, Flatten/Dense, layers the engine does not know)."""
    if len(getattr(model, "inputs", None) or []) != 1 or len(model.outputs) != 1:
        return None
    import keras

    if isinstance(model, keras.Sequential):
        specs = [spec_of(layer) for layer in model.layers
                 if type(layer).__name__ not in _SAME_SIZE]
        return None if None in specs else specs
    specs: list[S.Layer] = []
    alias: dict[str, str | None] = {}  # a Keras layer's name -> the spec whose map it carries
    previous: str | None = None
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            alias[layer.name], previous = None, layer.name
            continue
        producers = _producers(layer)
        if kind in _MERGES and producers and len(producers) == 2 and producers[1] == previous:
            producers = producers[::-1]  # Concatenate()([skip, up]): the running map is `up`
        if not producers or producers[0] != previous or any(p not in alias for p in producers):
            return None
        if kind in _MERGES:
            if len(producers) != 2 or alias[producers[1]] is None:
                return None
            specs.append(S.Concatenate(skip=alias[producers[1]], name=layer.name))
            alias[layer.name] = layer.name
        elif kind in _SAME_SIZE:
            alias[layer.name] = alias[producers[0]]
        else:
            spec = spec_of(layer)
            if spec is None or len(producers) != 1:
                return None
            specs.append(spec)
            alias[layer.name] = layer.name
        previous = layer.name
    return specs


def _functional(model: Any) -> Any:
    import keras

    if isinstance(model, keras.Sequential):
        inputs = keras.Input(batch_shape=model.inputs[0].shape)
        x = inputs
        for layer in model.layers:
            x = layer(x)
        return keras.Model(inputs, x, name=model.name)
    return model


def edited_model(model: Any, edits: dict[str, dict], pad: Any = None, crop: Any = None,
                 crop_skips: tuple[str, ...] = (), input_shape: S.Shape | None = None) -> Any:
    """A new functional model: `edits` maps layer names to config changes (Keras's own
    keys, e.g. {"conv2": {"padding": "same"}}); `pad`: ZeroPadding2D edges before the
    first layer; `crop`: Cropping2D edges after the last; `crop_skips`: merge layers whose
    other inputs are cropped at the bottom/right to the running map. Every layer whose
    weights keep their shapes keeps its weights. `input_shape` for a model on
    keras.Input((None, None, C)) (see the module docstring)."""
    import keras

    source = _functional(model)
    unknown = set(edits) - {layer.name for layer in source.layers}
    if unknown:
        raise S.ShapeError(f"edits={edits!r}: the model has no layer named {sorted(unknown)}; "
                           "use the names of model.summary().")
    shape = S.as_shape(input_shape) if input_shape is not None else source.inputs[0].shape[1:]
    inputs = keras.Input(shape=shape)
    padded: list[Any] = []

    def clone(layer: Any) -> Any:
        return layer.__class__.from_config({**layer.get_config(), **edits.get(layer.name, {})})

    def call(layer: Any, *args: Any, **kwargs: Any) -> Any:
        if pad is not None and args and args[0] is inputs:
            if not padded:
                padded.append(keras.layers.ZeroPadding2D(pad, name="input_padding")(inputs))
            args = (padded[0], *args[1:])
        if layer.name in crop_skips and args and isinstance(args[0], (list, tuple)):
            h, w = (min(t.shape[a] for t in args[0]) for a in (1, 2))  # the running map's
            joined = [keras.layers.Cropping2D(((0, t.shape[1] - h), (0, t.shape[2] - w)),
                                              name=f"{layer.name}_crop{i}")(t)
                      if tuple(t.shape[1:3]) != (h, w) else t for i, t in enumerate(args[0])]
            args = (joined, *args[1:])
        return layer(*args, **kwargs)

    try:
        rebuilt = keras.models.clone_model(source, input_tensors=inputs, clone_function=clone,
                                           call_function=call)
    except Exception as e:  # Keras raises ValueError, TypeError or TF errors here
        raise S.ShapeError(f"edits={edits!r}: the edited model does not build. Keras says: "
                           f"{str(e).splitlines()[0]}") from None
    out = rebuilt.outputs[0]
    inputs = rebuilt.inputs[0]
    if crop is not None:
        out = keras.layers.Cropping2D(crop, name="output_cropping")(out)
    rebuilt = keras.Model(inputs, out, name=f"{model.name}_edited")
    for layer in source.layers:
        _copy_weights(layer, rebuilt)
    return rebuilt


def _copy_weights(layer: Any, rebuilt: Any) -> None:
    try:
        new = rebuilt.get_layer(layer.name)
    except ValueError:
        return
    old = layer.get_weights()
    if old and [w.shape for w in old] == [w.shape for w in new.get_weights()]:
        new.set_weights(old)
