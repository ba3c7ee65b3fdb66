"""U-Net: an encoder-decoder whose skips concatenate equal-sized maps, for any input size.

`unet` builds the U-Net of `helpers.shapes.unet_specs` in Keras, with one of three
cures for sizes that are not multiples of 2 ** depth (pad the input, crop the skips,
or output_padding) and a 1x1 head; `crop_targets` matches targets to the cropping
variant. Keras is imported inside the functions (through helpers.bridge).

>>> from helpers.models import size_path
>>> size_path(unet((64, 64, 3), depth=2, odd_sizes="crop"))
'64x64 -> 32x32 -> 16x16 -> 32x32 -> 64x64'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.bridge import keras_layer, keras_model
from helpers.shapes import CURES, unet_specs

from .parts import HW, ModelError, _choice, _head, _start

__all__ = ["unet", "crop_targets"]


def unet(input_shape: Any, depth: int = 2, odd_sizes: str = "pad", filters: int = 8,
         out_channels: int | None = None, classes: int | None = None,
         seed: int | None = 0) -> Any:
    """A U-Net (concatenated skips) that survives sizes not divisible by 2 ** depth:
    the layers of shapes.unet_specs(depth, filters, cure=odd_sizes), all with ReLU, and
    a 1x1 head (`classes` logits, or a sigmoid image of `out_channels` channels) before
    the "pad" cure's last layer, its crop back to the input size.

    odd_sizes: "pad" zero-pads the input to the next size that survives
    (helpers.shapes.pad_to_valid) and crops the output back; "crop" crops each skip
    at the bottom/right to the upsampled map, so the output is smaller than the input
    (crop the targets with `crop_targets`); "output_padding" pools with padding="same"
    and gives each Conv2DTranspose the output_padding that lands on its skip's size.

    >>> from helpers.models import size_path
    >>> size_path(unet((75, 75, 3), odd_sizes="pad", classes=4))
    '75x75 -> 76x76 -> 38x38 -> 19x19 -> 38x38 -> 76x76 -> 75x75'
    >>> size_path(unet((75, 75, 3), odd_sizes="crop", classes=4))
    '75x75 -> 37x37 -> 18x18 -> 36x36 -> 72x72'
    """
    keras, _, shape = _start(input_shape, seed)
    _choice("odd_sizes", odd_sizes, [cure for cure in CURES if cure != "none"])
    if not isinstance(depth, int) or depth < 1:
        raise ModelError(f"depth={depth!r} must be an int >= 1 (the number of poolings), e.g. 2.")
    specs = unet_specs(depth, filters, cure=odd_sizes, input_hw=shape[:2])
    crop = specs.pop() if odd_sizes == "pad" else None  # crop_back comes after the head
    body = keras_model(shape, specs, name=f"unet_{odd_sizes}", activation="relu")
    x = _head(body.output, classes, out_channels, shape[2])
    if crop is not None:
        x = keras_layer(crop)(x)
    return keras.Model(body.input, x, name=f"unet_{odd_sizes}")


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

