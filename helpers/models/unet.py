"""U-Net: an encoder-decoder whose skips concatenate equal-sized maps, for any input size.

`unet` cures sizes that are not multiples of 2 ** depth in one of three ways (pad
the input, crop the skips, or output_padding); `unet_specs` is the same network as
shape-engine specs; `crop_targets` matches targets to the cropping variant.
Keras is imported inside the functions.

>>> from helpers.shapes import valid_input_sizes
>>> valid_input_sizes(unet_specs(2), 60, 70)  # without a cure: multiples of 2 ** 2
[60, 64, 68]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.bridge import keras_layer
from helpers.shapes import (
    Concatenate,
    Conv2D,
    Conv2DTranspose,
    MaxPooling2D,
    land_pair,
    pad_to_valid,
)

from .parts import HW, ModelError, _choice, _head, _resize_to, _start

__all__ = ["unet_specs", "unet", "crop_targets"]


def unet_specs(depth: int, pool_padding: str = "valid", filters: int = 8) -> list:
    """The plain U-Net that `unet` builds (no cure for odd sizes) as shape-engine specs,
    skips named enc0, enc1, ... (for pad_to_valid, the U-Net explorer and the docs).

    >>> from helpers.shapes import trace
    >>> trace((64, 64, 3), unet_specs(2)).output_shape[:2]
    (64, 64)
    """
    down = [s for i in range(depth) for s in (
        Conv2D(filters * 2 ** i, 3, padding="same", name=f"enc{i}"),
        MaxPooling2D(2, padding=pool_padding))]
    up = [s for i in reversed(range(depth)) for s in (
        Conv2DTranspose(filters * 2 ** i, 2, strides=2), Concatenate(skip=f"enc{i}"))]
    return down + [Conv2D(filters * 2 ** depth, 3, padding="same")] + up


def unet(input_shape: Any, depth: int = 2, odd_sizes: str = "pad", filters: int = 8,
         out_channels: int | None = None, classes: int | None = None,
         seed: int | None = 0) -> Any:
    """A U-Net (concatenated skips) that survives sizes not divisible by 2 ** depth.

    odd_sizes: "pad" zero-pads the input to the next size that survives
    (helpers.shapes.pad_to_valid) and crops the output back; "crop" crops each skip
    to the upsampled map, as the original U-Net does, so the output is smaller than
    the input (crop the targets with `crop_targets`); "output_padding" pools with
    padding="same" and gives each Conv2DTranspose the output_padding that lands on
    its skip's size.

    >>> from helpers.models import size_path
    >>> size_path(unet((75, 75, 3), odd_sizes="pad", classes=4))
    '75x75 -> 76x76 -> 38x38 -> 19x19 -> 38x38 -> 76x76 -> 75x75'
    >>> size_path(unet((75, 75, 3), odd_sizes="crop", classes=4))
    '75x75 -> 37x37 -> 18x18 -> 36x36 -> 72x72'
    """
    keras, inputs, shape = _start(input_shape, seed)
    _choice("odd_sizes", odd_sizes, ("pad", "crop", "output_padding"))
    if not isinstance(depth, int) or depth < 1:
        raise ModelError(f"depth={depth!r} must be an int >= 1 (the number of poolings), e.g. 2.")
    layers, x = keras.layers, inputs
    plan = None
    if odd_sizes == "pad":
        plan = pad_to_valid(shape[:2], unet_specs(depth, "valid", filters))
        x = layers.ZeroPadding2D(plan.padding, name="pad_input")(x)
    skips = []
    for i in range(depth):
        x = layers.Conv2D(filters * 2 ** i, 3, padding="same", activation="relu")(x)
        skips.append(x)
        x = layers.MaxPooling2D(2, padding="same" if odd_sizes == "output_padding" else "valid")(x)
    x = layers.Conv2D(filters * 2 ** depth, 3, padding="same", activation="relu")(x)
    for i in reversed(range(depth)):
        skip, f = skips[i], filters * 2 ** i
        want = tuple(skip.shape[1:3])
        args = {"kernel_size": 2, "strides": 2}
        if odd_sizes == "output_padding":
            args = land_pair(tuple(x.shape[1:3]), want, prefer=((2, 2), (2, 2)))
        x = layers.Conv2DTranspose(f, **args, activation="relu")(x)
        if odd_sizes == "crop":
            skip = _resize_to(skip, want, tuple(x.shape[1:3]), f"skip{i}")
        x = layers.Concatenate()([x, skip])
        x = layers.Conv2D(f, 3, padding="same", activation="relu")(x)
    x = _head(x, classes, out_channels, shape[2])
    if plan is not None:
        x = keras_layer(plan.crop())(x)
    return keras.Model(inputs, x, name=f"unet_{odd_sizes}")


def crop_targets(y: np.ndarray, hw: HW) -> np.ndarray:
    """Targets cropped at the bottom/right to hw, matching a U-Net with odd_sizes="crop"
    (its floor poolings drop the last row and column, so its output is the top-left part).

    >>> crop_targets(np.zeros((2, 75, 75), np.int32), (72, 72)).shape
    (2, 72, 72)
    """
    h, w = hw
    if h > y.shape[1] or w > y.shape[2]:
        raise ModelError(f"hw={hw} is larger than the targets' {y.shape[1:3]}; crop_targets "
                         "only makes targets smaller.")
    return np.asarray(y)[:, :h, :w]
