"""A learner's Keras model rebuilt with an edit (helpers.fixes proposes them by walking
its graph, helpers.bridge.graph_plan).

`edited_model(model, edits, ...)` rebuilds it with some layers' configuration changed
(`layer.get_config()` edited), a ZeroPadding2D in front, a Cropping2D at the end or
cropped merges, copying every weight whose shape still fits.

>>> import keras
>>> inputs = keras.Input((16, 16, 1))
>>> x = keras.layers.Conv2D(4, 3, padding="valid", name="c1")(inputs)
>>> model = keras.Model(inputs, keras.layers.Conv2D(1, 3, padding="same", name="c2")(x))
>>> edited_model(model, {"c1": {"padding": "same"}}).output_shape
(None, 16, 16, 1)
"""

from __future__ import annotations

from typing import Any

from helpers import shapes as S

__all__ = ["edited_model"]

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
