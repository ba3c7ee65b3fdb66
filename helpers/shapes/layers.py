"""Layer specs with a window: convolutions, pooling and transposed convolutions.

`spec.py` has the base class; `sizing.py` has the specs that only set a size
(upsampling, cropping, padding, resizing) and the skip join, Concatenate.

Each spec takes Keras's own argument names, so a learner can copy it into Keras
unchanged; computes its output shape (H, W, C) from an input shape without
TensorFlow; and writes its formula with the numbers in. The real Keras layer is
built by the bridge: `helpers.bridge.keras_layer(spec)`.

>>> Conv2D(16, 3, strides=2).output_shape((28, 28, 1))
(13, 13, 16)
>>> Conv2D(16, 3, strides=2).formula((28, 28, 1))
'floor((28 - 3) / 2) + 1 = 13'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .arithmetic import (
    ShapeError,
    _deconv_size,
    _refuse_dilated_deconv,
    conv_out,
    dilated,
    onednn_only,
    pool_out,
)
from .spec import Layer, Pair, Shape, pair

__all__ = ["Conv2D", "SeparableConv2D", "DepthwiseConv2D", "MaxPooling2D", "AveragePooling2D",
           "Conv2DTranspose"]

def _no_strided_dilation(layer: Any) -> None:
    strides = pair("strides", layer.strides)
    dilation = pair("dilation_rate", layer.dilation_rate)
    if max(strides) > 1 and max(dilation) > 1:
        raise ShapeError(
            f"{layer.kind}: strides={layer.strides} together with dilation_rate="
            f"{layer.dilation_rate}: Keras refuses strides > 1 with dilation_rate > 1 (on any "
            "axis); use strides=1 with the dilation, or dilation_rate=1 with the strides."
        )


def _equal_strides(layer: Any) -> None:
    strides = pair("strides", layer.strides)
    if strides[0] != strides[1]:
        raise onednn_only(
            f"{layer.kind}: strides={layer.strides}, different for height and width,",
            "Current implementation only supports equal length strides in the row and column "
            "dimensions", f"Use strides={max(strides)} (or {min(strides)}) on both axes, or a "
            "Conv2D, which takes any strides.")


class _ConvRule:
    """The Conv2D size rule, for every spec with kernel_size, strides, padding, dilation_rate."""

    kernel_size: int | Pair
    strides: int | Pair
    padding: str
    dilation_rate: int | Pair

    def _validate(self) -> None:
        _no_strided_dilation(self)

    def _axis(self, axis: int, n: int) -> int:
        return conv_out(n, pair("kernel_size", self.kernel_size)[axis],
                        pair("strides", self.strides)[axis], self.padding,
                        pair("dilation_rate", self.dilation_rate)[axis])

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        s = pair("strides", self.strides)[axis]
        if self.padding.lower() == "same":
            return f"ceil({n} / {s}) = {out}"
        ke = dilated(pair("kernel_size", self.kernel_size)[axis],
                     pair("dilation_rate", self.dilation_rate)[axis])
        return f"floor(({n} - {ke}) / {s}) + 1 = {out}"


@dataclass(frozen=True)
class Conv2D(_ConvRule, Layer):
    """keras.layers.Conv2D: floor((n - ke) / s) + 1 ("valid") or ceil(n / s) ("same").

    >>> Conv2D(8, 3, padding="same", strides=2).output_shape((75, 75, 3))
    (38, 38, 8)
    """

    filters: int
    kernel_size: int | Pair = 3
    strides: int | Pair = 1
    padding: str = "valid"
    dilation_rate: int | Pair = 1
    activation: str | None = None
    name: str | None = None
    keras_name: ClassVar[str] = "conv2d"

    def _channels(self, c: int) -> int:
        return self.filters


@dataclass(frozen=True)
class SeparableConv2D(Conv2D):
    """keras.layers.SeparableConv2D: the Conv2D sizes; strides must match on both axes.

    >>> SeparableConv2D(8, 3, strides=2, padding="same").output_shape((75, 75, 3))
    (38, 38, 8)
    """

    keras_name: ClassVar[str] = "separable_conv2d"

    def _validate(self) -> None:
        super()._validate()
        _equal_strides(self)


@dataclass(frozen=True)
class DepthwiseConv2D(_ConvRule, Layer):
    """keras.layers.DepthwiseConv2D: the Conv2D sizes, channels times depth_multiplier;
    strides must match on both axes.

    >>> DepthwiseConv2D(3, depth_multiplier=2).output_shape((28, 28, 3))
    (26, 26, 6)
    """

    kernel_size: int | Pair = 3
    strides: int | Pair = 1
    padding: str = "valid"
    depth_multiplier: int = 1
    dilation_rate: int | Pair = 1
    activation: str | None = None
    name: str | None = None
    keras_name: ClassVar[str] = "depthwise_conv2d"

    def _validate(self) -> None:
        super()._validate()
        _equal_strides(self)

    def _channels(self, c: int) -> int:
        return c * self.depth_multiplier


@dataclass(frozen=True)
class MaxPooling2D(Layer):
    """keras.layers.MaxPooling2D; strides default to pool_size, as in Keras.

    >>> MaxPooling2D(2).output_shape((75, 75, 8))
    (37, 37, 8)
    """

    pool_size: int | Pair = 2
    strides: int | Pair | None = None
    padding: str = "valid"
    name: str | None = None
    keras_name: ClassVar[str] = "max_pooling2d"

    def _axis(self, axis: int, n: int) -> int:
        s = None if self.strides is None else pair("strides", self.strides)[axis]
        return pool_out(n, pair("pool_size", self.pool_size)[axis], s, self.padding)

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        k = pair("pool_size", self.pool_size)[axis]
        s = k if self.strides is None else pair("strides", self.strides)[axis]
        if self.padding.lower() == "same":
            return f"ceil({n} / {s}) = {out}"
        return f"floor(({n} - {k}) / {s}) + 1 = {out}"


@dataclass(frozen=True)
class AveragePooling2D(MaxPooling2D):
    """keras.layers.AveragePooling2D: the same sizes as MaxPooling2D.

    >>> AveragePooling2D(3, strides=2).output_shape((28, 28, 1))
    (13, 13, 1)
    """

    keras_name: ClassVar[str] = "average_pooling2d"


@dataclass(frozen=True)
class Conv2DTranspose(Layer):
    """keras.layers.Conv2DTranspose; refuses output_padding values that fail at run time.

    >>> up = Conv2DTranspose(8, 3, strides=2, padding="same", output_padding=0)
    >>> up.output_shape((38, 38, 16))
    (75, 75, 8)
    """

    filters: int
    kernel_size: int | Pair = 3
    strides: int | Pair = 1
    padding: str = "valid"
    output_padding: int | Pair | None = None
    dilation_rate: int | Pair = 1
    activation: str | None = None
    name: str | None = None
    keras_name: ClassVar[str] = "conv2d_transpose"

    def _validate(self) -> None:
        _no_strided_dilation(self)

    def _sizes(self, shape: Shape) -> tuple[int, int]:
        sizes = super()._sizes(shape)  # Keras's own refusals and the trap first: both builds
        dilation = pair("dilation_rate", self.dilation_rate)
        if max(dilation) > 1:
            kernel = pair("kernel_size", self.kernel_size)
            span = tuple(dilated(k, d) for k, d in zip(kernel, dilation))
            _refuse_dilated_deconv(self.dilation_rate, span[0] if span[0] == span[1] else span)
        return sizes

    def _args(self, axis: int) -> tuple[int, int, int | None, int]:
        op = None if self.output_padding is None else \
            pair("output_padding", self.output_padding)[axis]
        return (pair("kernel_size", self.kernel_size)[axis], pair("strides", self.strides)[axis],
                op, pair("dilation_rate", self.dilation_rate)[axis])

    def _axis(self, axis: int, n: int) -> int:
        k, s, op, d = self._args(axis)
        return _deconv_size(n, k, s, self.padding, op, d)

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        k, s, op, d = self._args(axis)
        ke = dilated(k, d)
        same = self.padding.lower() == "same"
        if op is None:
            return f"{n} * {s} = {out}" if same else f"{n} * {s} + max({ke} - {s}, 0) = {out}"
        if same:
            return f"({n} - 1) * {s} + {ke} - 2 * {ke // 2} + {op} = {out}"
        return f"({n} - 1) * {s} + {ke} + {op} = {out}"

    def _channels(self, c: int) -> int:
        return self.filters
