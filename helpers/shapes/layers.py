"""Layer specs: small frozen dataclasses that mirror Keras's spatial layers.

Each spec takes Keras's own argument names, so a learner can copy it into Keras
unchanged; computes its output shape (H, W, C) from an input shape without
TensorFlow; writes its formula with the numbers in; and builds the real Keras
layer with `to_keras()` (Keras is imported only then).

>>> Conv2D(16, 3, strides=2).output_shape((28, 28, 1))
(13, 13, 16)
>>> Conv2D(16, 3, strides=2).formula((28, 28, 1))
'floor((28 - 3) / 2) + 1 = 13'
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, ClassVar

from .arithmetic import ShapeError, conv_out, deconv_out, dilated, pool_out

__all__ = [
    "Layer", "Conv2D", "MaxPooling2D", "AveragePooling2D", "Conv2DTranspose",
    "UpSampling2D", "Cropping2D", "ZeroPadding2D", "Resizing", "CenterCrop",
    "Concatenate", "Shape",
]

Shape = tuple[int, int, int]
Pair = tuple[int, int]
AXES = ("height", "width")


def _pair(name: str, value: Any) -> Pair:
    """An int or an (height, width) pair, as Keras accepts them."""
    if type(value) is int:
        return value, value
    if type(value) is tuple and len(value) == 2 and type(value[0]) is int is type(value[1]):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return int(value[0]), int(value[1])
    raise ShapeError(f"{name}={value!r} must be an int or a (height, width) pair, e.g. "
                     f"{name}=3 or {name}=(3, 5).")


def _edges(name: str, value: Any) -> tuple[Pair, Pair]:
    """Cropping/padding amounts as ((top, bottom), (left, right))."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value), int(value)), (int(value), int(value))
    if isinstance(value, (tuple, list)) and len(value) == 2:
        if all(isinstance(v, numbers.Integral) for v in value):
            return (int(value[0]), int(value[0])), (int(value[1]), int(value[1]))
        if all(isinstance(v, (tuple, list)) and len(v) == 2 for v in value):
            (t, b), (left, r) = value
            return (int(t), int(b)), (int(left), int(r))
    raise ShapeError(f"{name}={value!r} must be an int, a (symmetric_height, symmetric_width) "
                     f"pair or ((top, bottom), (left, right)), e.g. {name}=((0, 1), (0, 1)).")


def _shape(shape: Any) -> Shape:
    if type(shape) is tuple and len(shape) == 3 and all(type(v) is int and v >= 1 for v in shape):
        return shape
    if isinstance(shape, (tuple, list)) and len(shape) in (2, 3):
        hwc = tuple(shape) if len(shape) == 3 else (*shape, 1)
        if all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1
               for v in hwc):
            return tuple(int(v) for v in hwc)  # type: ignore[return-value]
    raise ShapeError(f"input_shape={shape!r} must be (height, width, channels) with positive "
                     "ints, e.g. (28, 28, 1); leave the batch axis out.")


def _axis_text(texts: list[str]) -> str:
    return texts[0] if texts[0] == texts[1] else f"H: {texts[0]}; W: {texts[1]}"


@dataclass(frozen=True)
class Layer:
    """Base of every spec: per-axis size rule, formula text and Keras layer."""

    keras_name: ClassVar[str] = "layer"

    @property
    def kind(self) -> str:
        """The Keras class name, e.g. 'Conv2D'."""
        return type(self).__name__

    def _axis(self, axis: int, n: int) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def _axis_formula(self, axis: int, n: int, out: int) -> str:  # pragma: no cover
        raise NotImplementedError

    def _channels(self, c: int) -> int:
        return c

    def _validate(self) -> None:
        """Checks that involve both axes at once (none by default)."""

    def _sizes(self, shape: Shape) -> tuple[int, int]:
        self._validate()
        out = []
        for axis in (0, 1):
            try:
                out.append(self._axis(axis, shape[axis]))
            except ShapeError as e:
                where = f"{self.kind}" + (f" '{self.name}'" if getattr(self, "name", None) else "")
                raise ShapeError(f"{where}, {AXES[axis]} axis: {e}") from None
        return out[0], out[1]

    def step(self, input_shape: Shape) -> tuple[Shape, str]:
        """(output shape, formula) in one pass; what trace() calls for each layer."""
        shape = _shape(input_shape)
        h, w = self._sizes(shape)
        text = _axis_text([self._axis_formula(0, shape[0], h), self._axis_formula(1, shape[1], w)])
        return (h, w, self._channels(shape[2])), text

    def output_shape(self, input_shape: Shape) -> Shape:
        """(H, W, C) after this layer; raises ShapeError if it cannot run."""
        shape = _shape(input_shape)
        h, w = self._sizes(shape)
        return h, w, self._channels(shape[2])

    def formula(self, input_shape: Shape) -> str:
        """The size rule with the numbers in, e.g. 'ceil(28 / 2) = 14'."""
        return self.step(input_shape)[1]

    def keras_kwargs(self) -> dict[str, Any]:
        """The arguments of the equivalent Keras layer."""
        return {k: v for k, v in self.__dict__.items() if v is not None or k == "strides"}

    def to_keras(self) -> Any:
        """The equivalent Keras layer (imports Keras).

        >>> Conv2D(8, 3).to_keras().kernel_size
        (3, 3)
        """
        import keras

        return getattr(keras.layers, self.kind)(**self.keras_kwargs())


def _no_strided_dilation(layer: Any) -> None:
    strides = _pair("strides", layer.strides)
    dilation = _pair("dilation_rate", layer.dilation_rate)
    if max(strides) > 1 and max(dilation) > 1:
        raise ShapeError(
            f"{layer.kind}: strides={layer.strides} together with dilation_rate="
            f"{layer.dilation_rate}: Keras refuses strides > 1 with dilation_rate > 1 (on any "
            "axis); use strides=1 with the dilation, or dilation_rate=1 with the strides."
        )


@dataclass(frozen=True)
class Conv2D(Layer):
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

    def _validate(self) -> None:
        _no_strided_dilation(self)

    def _axis(self, axis: int, n: int) -> int:
        return conv_out(n, _pair("kernel_size", self.kernel_size)[axis],
                        _pair("strides", self.strides)[axis], self.padding,
                        _pair("dilation_rate", self.dilation_rate)[axis])

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        s = _pair("strides", self.strides)[axis]
        if self.padding.lower() == "same":
            return f"ceil({n} / {s}) = {out}"
        ke = dilated(_pair("kernel_size", self.kernel_size)[axis],
                     _pair("dilation_rate", self.dilation_rate)[axis])
        return f"floor(({n} - {ke}) / {s}) + 1 = {out}"

    def _channels(self, c: int) -> int:
        return self.filters


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
        s = None if self.strides is None else _pair("strides", self.strides)[axis]
        return pool_out(n, _pair("pool_size", self.pool_size)[axis], s, self.padding)

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        k = _pair("pool_size", self.pool_size)[axis]
        s = k if self.strides is None else _pair("strides", self.strides)[axis]
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

    def _args(self, axis: int) -> tuple[int, int, int | None, int]:
        op = None if self.output_padding is None else \
            _pair("output_padding", self.output_padding)[axis]
        return (_pair("kernel_size", self.kernel_size)[axis], _pair("strides", self.strides)[axis],
                op, _pair("dilation_rate", self.dilation_rate)[axis])

    def _axis(self, axis: int, n: int) -> int:
        k, s, op, d = self._args(axis)
        return deconv_out(n, k, s, self.padding, op, d)

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


@dataclass(frozen=True)
class UpSampling2D(Layer):
    """keras.layers.UpSampling2D: n * size.

    >>> UpSampling2D(2).output_shape((37, 37, 8))
    (74, 74, 8)
    """

    size: int | Pair = 2
    interpolation: str = "nearest"
    name: str | None = None
    keras_name: ClassVar[str] = "up_sampling2d"

    def _axis(self, axis: int, n: int) -> int:
        f = _pair("size", self.size)[axis]
        if f < 1:
            raise ShapeError(f"size={f} must be at least 1; use size=2 to double the map.")
        return n * f

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        return f"{n} * {_pair('size', self.size)[axis]} = {out}"


@dataclass(frozen=True)
class Cropping2D(Layer):
    """keras.layers.Cropping2D: n - before - after.

    >>> Cropping2D(((0, 1), (0, 1))).output_shape((76, 76, 3))
    (75, 75, 3)
    """

    cropping: int | Pair | tuple[Pair, Pair] = ((0, 0), (0, 0))
    name: str | None = None
    keras_name: ClassVar[str] = "cropping2d"

    def _axis(self, axis: int, n: int) -> int:
        a, b = _edges("cropping", self.cropping)[axis]
        if a < 0 or b < 0:
            raise ShapeError(f"cropping {(a, b)} has a negative amount; crop 0 or more pixels "
                             "(to grow the map, use ZeroPadding2D).")
        if a + b >= n:
            raise ShapeError(f"cropping {a} + {b} pixels from {n} leaves nothing; crop at most "
                             f"{n - 1} pixels in all.")
        return n - a - b

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        a, b = _edges("cropping", self.cropping)[axis]
        return f"{n} - {a} - {b} = {out}"


@dataclass(frozen=True)
class ZeroPadding2D(Layer):
    """keras.layers.ZeroPadding2D: n + before + after.

    >>> ZeroPadding2D(((0, 1), (0, 1))).output_shape((74, 74, 3))
    (75, 75, 3)
    """

    padding: int | Pair | tuple[Pair, Pair] = 1
    name: str | None = None
    keras_name: ClassVar[str] = "zero_padding2d"

    def _axis(self, axis: int, n: int) -> int:
        a, b = _edges("padding", self.padding)[axis]
        if a < 0 or b < 0:
            raise ShapeError(f"padding {(a, b)} has a negative amount; pad 0 or more pixels "
                             "(to shrink the map, use Cropping2D).")
        return n + a + b

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        a, b = _edges("padding", self.padding)[axis]
        return f"{n} + {a} + {b} = {out}"


def _fixed(axis: int, height: int, width: int) -> int:
    target, name = (height, width)[axis], ("height", "width")[axis]
    if isinstance(target, bool) or not isinstance(target, numbers.Integral) or target < 1:
        raise ShapeError(f"{name}={target!r} must be a positive int, e.g. {name}=64.")
    return int(target)


@dataclass(frozen=True)
class Resizing(Layer):
    """keras.layers.Resizing: always (height, width), by interpolation.

    >>> Resizing(64, 64).output_shape((61, 61, 1))
    (64, 64, 1)
    """

    height: int
    width: int
    interpolation: str = "bilinear"
    name: str | None = None
    keras_name: ClassVar[str] = "resizing"

    def _axis(self, axis: int, n: int) -> int:
        return _fixed(axis, self.height, self.width)

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        return f"resize {n} -> {out}"


@dataclass(frozen=True)
class CenterCrop(Layer):
    """keras.layers.CenterCrop: always (height, width); an odd difference leaves the
    extra pixel cropped at the bottom/right. A map smaller than the target is resized.

    >>> CenterCrop(64, 64).output_shape((67, 67, 1))
    (64, 64, 1)
    """

    height: int
    width: int
    name: str | None = None
    keras_name: ClassVar[str] = "center_crop"

    def _axis(self, axis: int, n: int) -> int:
        return _fixed(axis, self.height, self.width)

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        return f"center crop {n} -> {out}" if n >= out else f"resize {n} -> {out}"


@dataclass(frozen=True)
class Concatenate(Layer):
    """keras.layers.Concatenate (channels axis) of the running map with a named earlier layer.

    The U-Net skip connection: both maps must have the same height and width.

    >>> Concatenate(skip="enc1").join((32, 32, 16), (32, 32, 8))
    (32, 32, 24)
    """

    skip: str = ""
    name: str | None = None
    keras_name: ClassVar[str] = "concatenate"

    def join(self, shape: Shape, skip_shape: Shape) -> Shape:
        """(H, W, C1 + C2); ShapeError, with the crop that would fix it, if H or W differ."""
        (h, w, c), (sh, sw, sc) = _shape(shape), _shape(skip_shape)
        if (h, w) != (sh, sw):
            where = f"Concatenate '{self.name}'" if self.name else "Concatenate"
            fix = ""
            if sh >= h and sw >= w:
                dh, dw = sh - h, sw - w
                crop = ((dh // 2, dh - dh // 2), (dw // 2, dw - dw // 2))
                fix = f" Crop the skip with Cropping2D({crop}) (as the original U-Net did), or"
            raise ShapeError(
                f"{where} joins the skip '{self.skip}' of size {sh}x{sw} with a map of size "
                f"{h}x{w}: concatenation needs equal height and width.{fix} choose an input size "
                "that every pooling divides exactly (or pad the input to one)."
            )
        return h, w, c + sc

    def keras_kwargs(self) -> dict[str, Any]:
        return {"name": self.name} if self.name else {}

    def output_shape(self, input_shape: Shape) -> Shape:  # noqa: D102 - needs two inputs
        raise ShapeError("Concatenate needs two inputs: use trace(), which finds the skip "
                         f"'{self.skip}' by name, or Concatenate.join(shape, skip_shape).")
