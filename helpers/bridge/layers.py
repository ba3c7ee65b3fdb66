"""One spec to one Keras layer, and back: the only place either crossing is made.

>>> from helpers.shapes import ReflectPadding2D
>>> keras_layer(ReflectPadding2D(1)).compute_output_shape((1, 8, 8, 3))
(1, 10, 10, 3)
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from helpers import shapes as S

__all__ = ["keras_layer", "spec_of", "reflect_padding_class"]


def keras_layer(spec: S.Layer, activation: str | None = None, name: str | None = None) -> Any:
    """The Keras layer of a spec (imports Keras). `activation` overrides the spec's own, for
    specs that have one (the convolutions); `name` overrides its name.

    >>> from helpers.shapes import Conv2D
    >>> keras_layer(Conv2D(8, 3), activation="relu").activation.__name__
    'relu'
    """
    import keras

    kwargs = spec.keras_kwargs()
    if activation is not None and "activation" in {f.name for f in fields(spec)}:
        kwargs["activation"] = activation
    if name is not None:
        kwargs["name"] = name
    if isinstance(spec, S.ReflectPadding2D):
        return reflect_padding_class()(padding=S.edges("padding", spec.padding),
                                       name=kwargs.get("name"))
    return getattr(keras.layers, spec.kind)(**kwargs)


_CLASS: list[Any] = []


def reflect_padding_class() -> Any:
    """The Keras Layer behind ReflectPadding2D (Keras has none), defined on first use."""
    if _CLASS:
        return _CLASS[0]
    import keras

    @keras.saving.register_keras_serializable(package="cnnlab")
    class ReflectPadding2DLayer(keras.layers.Layer):
        def __init__(self, padding: Any = ((1, 1), (1, 1)), **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.padding = tuple(tuple(int(v) for v in p) for p in padding)

        def call(self, x: Any) -> Any:
            return keras.ops.pad(x, ((0, 0), *self.padding, (0, 0)), mode="reflect")

        def compute_output_shape(self, shape: tuple) -> tuple:
            (t, b), (left, r) = self.padding
            h = None if shape[1] is None else shape[1] + t + b
            w = None if shape[2] is None else shape[2] + left + r
            return shape[0], h, w, shape[3]

        def get_config(self) -> dict:
            return {**super().get_config(), "padding": self.padding}

    _CLASS.append(ReflectPadding2DLayer)
    return ReflectPadding2DLayer


def spec_of(layer: Any) -> S.Layer | None:
    """The spec whose spatial rule matches a Keras layer, or None if it has none.

    Layers in channels_first format, and custom layers whose config cannot be made (no
    `get_config()` for their arguments), return None: their rows use Keras's shapes.

    >>> import keras
    >>> spec_of(keras.layers.MaxPooling2D(3, strides=2, name="pool"))
    MaxPooling2D(pool_size=(3, 3), strides=(2, 2), padding='valid', name='pool')
    >>> spec_of(keras.layers.Add(name="res"))
    Add(skip='', name='res')
    """
    kind = type(layer).__name__
    try:
        cfg = layer.get_config()
    except NotImplementedError:  # a custom layer built from arguments Keras cannot serialise
        return None
    if cfg.get("data_format", "channels_last") != "channels_last":
        return None
    name = cfg.get("name")
    if kind in ("Conv2D", "SeparableConv2D"):
        return getattr(S, kind)(cfg["filters"], tuple(cfg["kernel_size"]), tuple(cfg["strides"]),
                                cfg["padding"], tuple(cfg["dilation_rate"]), name=name)
    if kind == "DepthwiseConv2D":
        return S.DepthwiseConv2D(tuple(cfg["kernel_size"]), tuple(cfg["strides"]),
                                 cfg["padding"], cfg.get("depth_multiplier", 1),
                                 tuple(cfg["dilation_rate"]), name=name)
    if kind == "Conv2DTranspose":
        op = cfg.get("output_padding")
        return S.Conv2DTranspose(cfg["filters"], tuple(cfg["kernel_size"]), tuple(cfg["strides"]),
                                 cfg["padding"], None if op is None else tuple(op),
                                 tuple(cfg["dilation_rate"]), name=name)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        strides = cfg.get("strides")
        return getattr(S, kind)(tuple(cfg["pool_size"]),
                                None if strides is None else tuple(strides), cfg["padding"],
                                name=name)
    if kind == "UpSampling2D":
        return S.UpSampling2D(tuple(cfg["size"]), cfg.get("interpolation", "nearest"), name=name)
    if kind == "Cropping2D":
        return S.Cropping2D(tuple(tuple(c) for c in cfg["cropping"]), name=name)
    if kind == "ZeroPadding2D":
        return S.ZeroPadding2D(tuple(tuple(p) for p in cfg["padding"]), name=name)
    if kind == "ReflectPadding2DLayer":
        return S.ReflectPadding2D(tuple(tuple(p) for p in cfg["padding"]), name=name)
    if kind == "Resizing":
        return S.Resizing(cfg["height"], cfg["width"], cfg.get("interpolation", "bilinear"),
                          name=name)
    if kind == "CenterCrop":
        return S.CenterCrop(cfg["height"], cfg["width"], name=name)
    if kind in S.MERGES:
        return _merge_spec(layer, kind, cfg, name)
    return None


def _merge_spec(layer: Any, kind: str, cfg: dict, name: str | None) -> S.Merge | None:
    """A merge layer's spec; its skip is the layer that made its last input, when the
    layer has been called on two tensors (else "")."""
    try:
        inputs = layer.input
        history = getattr(inputs[-1], "_keras_history", None) if len(inputs) == 2 else None
        skip = getattr(history[0], "name", "") if history else ""
    except (AttributeError, ValueError, TypeError):  # not called yet, or called several times
        skip = ""
    if kind != "Concatenate":
        return getattr(S, kind)(skip=skip, name=name)
    axis = cfg.get("axis", -1)
    return S.Concatenate(skip=skip, name=name, axis=-1 if axis == 3 else axis)
