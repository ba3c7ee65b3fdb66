"""One small Keras model per strategy, each with an output the size of its target.

Every builder takes the input shape (H, W, C) and returns an **uncompiled**
functional Keras model (compile it with `helpers.training.compile_for`, or let
`helpers.training.train` do it). With ``classes=4`` a model outputs per-pixel
class logits for sparse categorical cross-entropy (segmentation); without, it
outputs an image with the input's channels and a sigmoid (for MSE). Builders
seed Keras (``seed=0``) before creating weights, so the same call gives the
same model. Sizes are planned with the shape engine, so odd and non-square
inputs land exactly (75 -> 38 -> 19 -> 38 -> 75).

The U-Net is in unet.py and the shared pieces in parts.py. Keras is imported
inside the functions: importing this module stays cheap.

>>> model = upsampling_net((75, 75, 3))
>>> size_path(model)
'75x75 -> 38x38 -> 19x19 -> 38x38 -> 75x75'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from helpers.bridge import keras_layer, trace_model
from helpers.data import downsample
from helpers.shapes import Conv2D, MaxPooling2D, centred_edges, mirror_decoder, trace

from .parts import (
    ModelError,
    _choice,
    _head,
    _keras,
    _resize_to,
    _start,
)

__all__ = [
    "ModelError", "encoder", "encoder_specs", "same_padding_net", "upsampling_net",
    "downsampled_target_net", "downsample_targets", "crop_pad_net", "valid_mask",
    "size_path", "summary_line", "depth_to_space_layer",
]

def encoder_specs(filters: Sequence[int] = (16, 32), method: str = "conv") -> list:
    """The encoder as shape-engine specs: each stage halves H and W (ceil, padding="same").

    "conv": one Conv2D(f, 3, strides=2) per stage; "pool": Conv2D(f, 3) then MaxPooling2D(2).

    >>> [row.output_shape for row in trace((75, 75, 3), encoder_specs((16, 32)))]
    [(38, 38, 16), (19, 19, 32)]
    """
    _choice("method", method, ("conv", "pool"))
    if not filters or not all(isinstance(f, int) and f > 0 for f in filters):
        raise ModelError(f"filters={filters!r} must be a non-empty sequence of positive ints, "
                         "one per stage, e.g. (16, 32).")
    if method == "conv":
        return [Conv2D(f, 3, strides=2, padding="same") for f in filters]
    return [s for f in filters for s in (Conv2D(f, 3, padding="same"),
                                        MaxPooling2D(2, padding="same"))]


def encoder(input_shape: Any, filters: Sequence[int] = (16, 32), method: str = "conv",
            seed: int | None = 0) -> Any:
    """A Keras model that downsamples by 2 per stage (strided convs or max pooling).

    >>> size_path(encoder((75, 75, 3)))
    '75x75 -> 38x38 -> 19x19'
    """
    keras, inputs, _ = _start(input_shape, seed)
    x = inputs
    for spec in encoder_specs(filters, method):
        x = keras_layer(spec, "relu")(x)
    return keras.Model(inputs, x, name=f"encoder_{method}")


def same_padding_net(input_shape: Any, filters: int = 16, depth: int = 3,
                     dilation: bool = False, out_channels: int | None = None,
                     classes: int | None = None, seed: int | None = 0) -> Any:
    """A stride-1, padding="same" network: its output has the input's H and W.

    With dilation=True the convolutions use dilation_rate 1, 2, 4, ... so the
    receptive field grows without any downsampling (3 layers: 15x15 instead of 7x7).

    >>> model = same_padding_net((75, 75, 3), dilation=True)
    >>> size_path(model), summary_line(model)
    ('75x75', 'same_padding_net: 75x75x3 -> 75x75x3, 5,139 params')
    """
    keras, inputs, shape = _start(input_shape, seed)
    if not isinstance(depth, int) or depth < 1:
        raise ModelError(f"depth={depth!r} must be an int >= 1 (the number of 3x3 convs), e.g. 3.")
    x = inputs
    for i in range(depth):
        rate = 2 ** i if dilation else 1
        x = keras.layers.Conv2D(filters, 3, padding="same", dilation_rate=rate,
                                activation="relu")(x)
    return keras.Model(inputs, _head(x, classes, out_channels, shape[2]), name="same_padding_net")


def upsampling_net(input_shape: Any, method: str = "transpose", filters: Sequence[int] = (16, 32),
                   encoder_method: str = "conv", out_channels: int | None = None,
                   classes: int | None = None, seed: int | None = 0) -> Any:
    """An encoder-decoder whose decoder returns exactly to the input size.

    method: "transpose" (Conv2DTranspose layers planned by helpers.shapes.mirror_decoder,
    kernel/padding/output_padding chosen per stage so odd sizes land), "nearest" or
    "bilinear" (UpSampling2D(2) then a 3x3 conv), or "subpixel" (a conv to 4x the
    channels, then keras.ops.depth_to_space); the last three crop 1 pixel where 2n
    overshoots an odd size (2 x 38 = 76 -> 75).

    >>> size_path(upsampling_net((64, 75, 3), method="subpixel"))
    '64x75 -> 32x38 -> 16x19 -> 32x38 -> 64x76 -> 64x75'
    >>> size_path(upsampling_net((64, 75, 3), method="transpose"))
    '64x75 -> 32x38 -> 16x19 -> 32x38 -> 64x75'
    """
    keras, inputs, shape = _start(input_shape, seed)
    _choice("method", method, ("transpose", "nearest", "bilinear", "subpixel"))
    enc = encoder_specs(filters, encoder_method)
    x = inputs
    for spec in enc:
        x = keras_layer(spec, "relu")(x)
    stages = [shape[:2]] + [r.output_shape[:2] for r in trace(shape, enc).rows if r.changed]
    stages = stages[:-1][::-1]  # the sizes to land on, deepest first
    widths = list(filters[:-1][::-1]) + [filters[0]]
    if method == "transpose":
        for spec, f in zip(mirror_decoder(enc, shape), widths):
            x = keras_layer(replace(spec, filters=f), "relu")(x)
    else:
        for i, (want, f) in enumerate(zip(stages, widths)):
            have = tuple(2 * n for n in x.shape[1:3])
            if method == "subpixel":
                x = keras.layers.Conv2D(4 * f, 3, padding="same", activation="relu")(x)
                x = depth_to_space_layer()(2, name=f"subpixel_{i}")(x)
            else:
                x = keras.layers.UpSampling2D(2, interpolation=method)(x)
            x = _resize_to(x, have, want, f"up{i}")
            if method != "subpixel":
                x = keras.layers.Conv2D(f, 3, padding="same", activation="relu")(x)
    return keras.Model(inputs, _head(x, classes, out_channels, shape[2]),
                       name=f"upsampling_net_{method}")


def downsampled_target_net(input_shape: Any, factor: int = 4, filters: int = 16,
                           out_channels: int | None = None, classes: int | None = None,
                           seed: int | None = 0) -> Any:
    """The encoder alone (log2(factor) strided convs): its output is ceil(H / factor) x
    ceil(W / factor), trained against targets shrunk with `downsample_targets`.

    >>> model = downsampled_target_net((75, 75, 3), factor=4, classes=4)
    >>> size_path(model), summary_line(model)
    ('75x75 -> 38x38 -> 19x19', 'downsampled_target_net: 75x75x3 -> 19x19x4, 5,220 params')
    """
    if not isinstance(factor, int) or factor < 2 or factor & (factor - 1):
        raise ModelError(f"factor={factor!r} must be a power of two >= 2 (each stage halves the "
                         "size), e.g. factor=4.")
    keras, inputs, shape = _start(input_shape, seed)
    x = inputs
    for spec in encoder_specs([filters * 2 ** i for i in range(int(math.log2(factor)))]):
        x = keras_layer(spec, "relu")(x)
    return keras.Model(inputs, _head(x, classes, out_channels, shape[2]),
                       name="downsampled_target_net")


def downsample_targets(y: np.ndarray, factor: int, method: str | None = None) -> np.ndarray:
    """Targets shrunk by `factor` to ceil(H / factor) x ceil(W / factor), the size of a
    "same"-padded encoder's output.

    When factor does not divide H or W, the last row/column is repeated at the
    bottom/right first (as TensorFlow's "same" padding adds pixels there).
    method defaults to "area" for images and "mode" (majority class) for masks.

    >>> downsample_targets(np.zeros((2, 75, 75), np.int32), 4).shape
    (2, 19, 19)
    """
    y = np.asarray(y)
    if method is None:
        method = "mode" if np.issubdtype(y.dtype, np.integer) else "area"
    if y.ndim < 3:
        raise ModelError(f"y has shape {y.shape}; pass a batch (N, H, W) or (N, H, W, C).")
    pad = [(0, 0), *[(0, -n % factor) for n in y.shape[1:3]]] + [(0, 0)] * (y.ndim - 3)
    return downsample(np.pad(y, pad, mode="edge"), factor, method)


def crop_pad_net(input_shape: Any, mode: str = "crop", filters: Sequence[int] = (16, 32),
                 out_channels: int | None = None, classes: int | None = None,
                 seed: int | None = 0) -> Any:
    """An encoder-decoder that misses the input size, corrected by one last layer.

    "crop": the decoder overshoots (Conv2DTranspose 3x3, stride 2, "valid" gives 2n + 1)
    and a Cropping2D removes the extra predictions. "pad": the network shrinks
    ("valid" convs) and a ZeroPadding2D adds a border that predicts nothing: train
    it with `helpers.training.masked_loss(valid_mask(model))` so the loss ignores it.

    >>> size_path(crop_pad_net((75, 75, 3), mode="crop"))
    '75x75 -> 38x38 -> 19x19 -> 39x39 -> 79x79 -> 75x75'
    >>> size_path(crop_pad_net((75, 75, 3), mode="pad"))
    '75x75 -> 37x37 -> 18x18 -> 36x36 -> 72x72 -> 75x75'
    """
    keras, inputs, shape = _start(input_shape, seed)
    _choice("mode", mode, ("crop", "pad"))
    padding = "same" if mode == "crop" else "valid"
    x = inputs
    for f in filters:
        x = keras.layers.Conv2D(f, 3, strides=2, padding=padding, activation="relu")(x)
    for f in list(filters[:-1][::-1]) + [filters[0]]:
        k = 3 if mode == "crop" else 2
        x = keras.layers.Conv2DTranspose(f, k, strides=2, activation="relu")(x)
    if min(x.shape[1:3]) < 1:
        raise ModelError(f"input_shape={shape}: too small for {len(filters)} stages.")
    x = _head(x, classes, out_channels, shape[2])
    edges = centred_edges(tuple(x.shape[1:3]), shape[:2])  # the odd pixel at the bottom/right
    if mode == "crop":
        x = keras.layers.Cropping2D(edges, name="crop_to_target")(x)
    else:
        x = keras.layers.ZeroPadding2D(edges, name="pad_to_target")(x)
    return keras.Model(inputs, x, name=f"crop_pad_net_{mode}")


def valid_mask(model: Any) -> np.ndarray:
    """(H, W) float32 mask of a model's output: 1 where it predicts, 0 on the border
    that its last ZeroPadding2D invented (all ones for other models).

    >>> m = valid_mask(crop_pad_net((64, 64, 3), mode="pad"))
    >>> m.shape, int(m.size - m.sum())                 # 60x60 predicted, 496 invented
    ((64, 64), 496)
    """
    h, w = model.output_shape[1:3]
    mask = np.ones((h, w), np.float32)
    last = model.layers[-1]
    if type(last).__name__ == "ZeroPadding2D":
        (t, b), (left, r) = last.padding
        mask[:t], mask[h - b:], mask[:, :left], mask[:, w - r:] = 0, 0, 0, 0
    return mask


def size_path(model: Any) -> str:
    """The spatial sizes a model's feature maps take, in layer order, repeats removed.

    >>> size_path(same_padding_net((64, 64, 3)))
    '64x64'
    """
    t = trace_model(model)
    sizes = [tuple(t.input_shape[:2])] + [r.spatial_out for r in t.rows if r.spatial_out]
    path = [s for i, s in enumerate(sizes) if i == 0 or s != sizes[i - 1]]
    return " -> ".join(f"{h}x{w}" for h, w in path)


def summary_line(model: Any) -> str:
    """'name: input -> output, N params' for a Keras model, in one line.

    >>> summary_line(same_padding_net((28, 28, 1), classes=4))
    'same_padding_net: 28x28x1 -> 28x28x4, 4,868 params'
    """
    def fmt(shape: tuple) -> str:
        return "x".join("?" if v is None else str(v) for v in shape[1:])

    return f"{model.name}: {fmt(model.input_shape)} -> {fmt(model.output_shape)}, " \
           f"{model.count_params():,} params"


_D2S: list[Any] = []


def depth_to_space_layer() -> Any:
    """The DepthToSpace Keras layer class (sub-pixel upsampling with keras.ops.depth_to_space),
    defined on first use; a Layer subclass, not a Lambda, so `.keras` files load safely.

    >>> layer = depth_to_space_layer()(2)
    >>> tuple(layer(np.zeros((1, 3, 5, 8), np.float32)).shape)
    (1, 6, 10, 2)
    """
    if _D2S:
        return _D2S[0]
    keras = _keras()

    @keras.saving.register_keras_serializable(package="cnnlab")
    class DepthToSpace(keras.layers.Layer):
        """(B, H, W, C * b * b) -> (B, H * b, W * b, C)."""

        def __init__(self, block_size: int = 2, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.block_size = int(block_size)

        def call(self, x: Any) -> Any:
            return keras.ops.depth_to_space(x, self.block_size)

        def compute_output_shape(self, shape: tuple) -> tuple:
            b = self.block_size
            return (shape[0], *(None if n is None else n * b for n in shape[1:3]),
                    shape[3] // (b * b))

        def get_config(self) -> dict:
            return {**super().get_config(), "block_size": self.block_size}

    _D2S.append(DepthToSpace)
    return DepthToSpace
