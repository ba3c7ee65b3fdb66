"""Read a spec back from a real Keras layer (used by trace_model)."""

from __future__ import annotations

from typing import Any

from . import layers as specs
from . import sizing

__all__ = ["spec_from_keras"]


def spec_from_keras(layer: Any) -> specs.Layer | None:
    """The spec whose spatial rule matches a Keras layer, or None if it has none.

    Layers in channels_first format return None (their rows use Keras's shapes).

    >>> import keras
    >>> spec_from_keras(keras.layers.MaxPooling2D(3, strides=2, name="pool"))
    MaxPooling2D(pool_size=(3, 3), strides=(2, 2), padding='valid', name='pool')
    """
    kind = type(layer).__name__
    cfg = layer.get_config()
    if cfg.get("data_format", "channels_last") != "channels_last":
        return None
    name = cfg.get("name")
    if kind in ("Conv2D", "SeparableConv2D"):
        return getattr(specs, kind)(cfg["filters"], tuple(cfg["kernel_size"]),
                                    tuple(cfg["strides"]), cfg["padding"],
                                    tuple(cfg["dilation_rate"]), name=name)
    if kind == "DepthwiseConv2D":
        return specs.DepthwiseConv2D(tuple(cfg["kernel_size"]), tuple(cfg["strides"]),
                                     cfg["padding"], cfg.get("depth_multiplier", 1),
                                     tuple(cfg["dilation_rate"]), name=name)
    if kind == "Conv2DTranspose":
        op = cfg.get("output_padding")
        return specs.Conv2DTranspose(cfg["filters"], tuple(cfg["kernel_size"]),
                                     tuple(cfg["strides"]), cfg["padding"],
                                     None if op is None else tuple(op),
                                     tuple(cfg["dilation_rate"]), name=name)
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        strides = cfg.get("strides")
        return getattr(specs, kind)(tuple(cfg["pool_size"]),
                                    None if strides is None else tuple(strides),
                                    cfg["padding"], name=name)
    if kind == "UpSampling2D":
        return sizing.UpSampling2D(tuple(cfg["size"]), cfg.get("interpolation", "nearest"),
                                  name=name)
    if kind == "Cropping2D":
        return sizing.Cropping2D(tuple(tuple(c) for c in cfg["cropping"]), name=name)
    if kind == "ZeroPadding2D":
        return sizing.ZeroPadding2D(tuple(tuple(p) for p in cfg["padding"]), name=name)
    if kind == "Resizing":
        return sizing.Resizing(cfg["height"], cfg["width"], cfg.get("interpolation", "bilinear"),
                              name=name)
    if kind == "CenterCrop":
        return sizing.CenterCrop(cfg["height"], cfg["width"], name=name)
    return None
