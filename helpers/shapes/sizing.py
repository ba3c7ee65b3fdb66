"""Layer specs that only set a size (upsampling, cropping, padding, resizing) and the
skip join (Concatenate, a Merge: see merges.py): the counterparts of the windowed layers
in `layers.py`.

>>> Cropping2D(((1, 2), (1, 2))).output_shape((64, 64, 3))
(61, 61, 3)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, ClassVar

from .arithmetic import ShapeError, centred_edges
from .merges import Merge
from .spec import Layer, Pair, Shape, as_shape, edges, pair, size_text

__all__ = ["UpSampling2D", "Cropping2D", "ZeroPadding2D", "ReflectPadding2D", "Resizing",
           "CenterCrop", "Concatenate"]


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
        f = pair("size", self.size)[axis]
        if f < 1:
            raise ShapeError(f"size={f} must be at least 1; use size=2 to double the map.")
        return n * f

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        return f"{n} * {pair('size', self.size)[axis]} = {out}"


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
        a, b = edges("cropping", self.cropping)[axis]
        if a < 0 or b < 0:
            raise ShapeError(f"cropping {(a, b)} has a negative amount; crop 0 or more pixels "
                             "(to grow the map, use ZeroPadding2D).")
        if a + b >= n:
            raise ShapeError(f"cropping {a} + {b} pixels from {n} leaves nothing; crop at most "
                             f"{n - 1} pixels in all.")
        return n - a - b

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        a, b = edges("cropping", self.cropping)[axis]
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
        a, b = edges("padding", self.padding)[axis]
        if a < 0 or b < 0:
            raise ShapeError(f"padding {(a, b)} has a negative amount; pad 0 or more pixels "
                             "(to shrink the map, use Cropping2D).")
        return n + a + b

    def _axis_formula(self, axis: int, n: int, out: int) -> str:
        a, b = edges("padding", self.padding)[axis]
        return f"{n} + {a} + {b} = {out}"


@dataclass(frozen=True)
class ReflectPadding2D(ZeroPadding2D):
    """Like ZeroPadding2D, but the new pixels mirror the border instead of being 0 (Keras
    has no such layer: helpers.bridge.keras_layer builds the project's own).

    Each side can add at most n - 1 pixels (a mirror cannot reach past the far edge).

    >>> ReflectPadding2D(((1, 2), (0, 1))).output_shape((8, 8, 3))
    (11, 9, 3)
    """

    keras_name: ClassVar[str] = "reflect_padding2d"

    def _axis(self, axis: int, n: int) -> int:
        a, b = edges("padding", self.padding)[axis]
        if max(a, b) > n - 1:
            raise ShapeError(f"ReflectPadding2D padding {(a, b)} on {n} pixels: reflection can "
                             f"add at most {n - 1} per side; use ZeroPadding2D or pad less.")
        return super()._axis(axis, n)


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


_AXES = {1: 0, 2: 1, 3: 2, -3: 0, -2: 1, -1: 2}  # Keras's axis (batch first) -> (H, W, C)


@dataclass(frozen=True)
class Concatenate(Merge):
    """keras.layers.Concatenate of the running map with a named earlier layer.

    The U-Net skip connection joins on the channels axis (axis=-1, the default): both
    maps must have the same height and width. With crop_skip=True the skip is first
    cropped at the bottom/right to the running map's size (a Cropping2D on the skip in
    Keras: the U-Net's "crop" cure). On another axis (axis=1: height, 2: width, as in
    Keras, batch first) the two other axes must be equal.

    >>> Concatenate(skip="enc1").join((32, 32, 16), (32, 32, 8))
    (32, 32, 24)
    >>> Concatenate(skip="enc1", crop_skip=True).join((36, 36, 16), (37, 37, 16))
    (36, 36, 32)
    >>> Concatenate(skip="left", axis=2).join((8, 8, 4), (8, 5, 4))
    (8, 13, 4)
    """

    crop_skip: bool = False
    axis: int = -1
    keras_name: ClassVar[str] = "concatenate"

    def _axis_index(self) -> int:
        if isinstance(self.axis, bool) or self.axis not in _AXES:
            raise ShapeError(f"Concatenate axis={self.axis!r} must be 1 (height), 2 (width) or "
                             "-1 (channels, the default), counted as in Keras with the batch "
                             "axis first.")
        if self.crop_skip and _AXES[self.axis] != 2:
            raise ShapeError(f"crop_skip=True crops height and width, so it needs axis=-1 "
                             f"(channels), not axis={self.axis}.")
        return _AXES[self.axis]

    def skip_cropping(self, shape: Shape, skip_shape: Shape) -> tuple[Pair, Pair]:
        """((0, bottom), (0, right)): what crop_skip cuts off the skip (zeros without it).

        >>> Concatenate(skip="enc0", crop_skip=True).skip_cropping((72, 72, 8), (75, 75, 8))
        ((0, 3), (0, 3))
        """
        (h, w, _), (sh, sw, _) = as_shape(shape), as_shape(skip_shape)
        if not self.crop_skip or sh < h or sw < w:
            return (0, 0), (0, 0)
        return (0, sh - h), (0, sw - w)

    def join(self, shape: Shape, skip_shape: Shape) -> Shape:
        """(H, W, C1 + C2) on channels; ShapeError, with the crop that would fix it, if H
        or W differ (after the crop_skip cropping, if any). On another axis, that axis adds
        up and the two others must be equal."""
        axis = self._axis_index()
        if axis != 2:
            return self._join_on(axis, as_shape(shape), as_shape(skip_shape))
        (top, bottom), (left, right) = self.skip_cropping(shape, skip_shape)
        (h, w, c), (sh, sw, sc) = as_shape(shape), as_shape(skip_shape)
        sh, sw = sh - top - bottom, sw - left - right
        if (h, w) != (sh, sw):
            fix = ""
            if sh >= h and sw >= w:
                crop = centred_edges((sh, sw), (h, w))
                fix = f" Crop the skip with Cropping2D({crop}) (as the original U-Net did), or"
            raise ShapeError(
                f"{self._where()} joins the skip '{self.skip}' of size {sh}x{sw} with a map of "
                f"size {h}x{w}: concatenation needs equal height and width.{fix} choose an "
                "input size that every pooling divides exactly (or pad the input to one)."
            )
        return h, w, c + sc

    def _join_on(self, axis: int, a: Shape, b: Shape) -> Shape:
        others = [i for i in range(3) if i != axis]
        if any(a[i] != b[i] for i in others):
            names = ("height", "width", "channels")
            raise ShapeError(
                f"{self._where()} on the {names[axis]} axis (axis={self.axis}) joins the skip "
                f"'{self.skip}' of size {size_text(b)} with a map of size {size_text(a)}: the "
                f"{names[others[0]]} and {names[others[1]]} must be equal. Crop or pad one "
                f"branch to the other's {names[others[0]]} and {names[others[1]]}, or choose an "
                "input size that every pooling divides exactly.")
        out = list(a)
        out[axis] = a[axis] + b[axis]
        return tuple(out)  # type: ignore[return-value]

    def join_formula(self, shape: Shape, skip_shape: Shape, out: Shape) -> str:
        """'channels 16 + 8 = 24' (the skip's crop first, if any)."""
        axis = self._axis_index()
        names = ("height", "width", "channels")
        if axis != 2:
            return f"{names[axis]} {shape[axis]} + {skip_shape[axis]} = {out[axis]}"
        (_, b), (_, r) = self.skip_cropping(shape, skip_shape)
        cut = (f"skip {size_text(skip_shape[:2])} cropped to {size_text(out[:2])}; "
               if b or r else "")
        return f"{cut}channels {shape[2]} + {skip_shape[2]} = {out[2]}"

    def keras_kwargs(self) -> dict[str, Any]:
        return {**super().keras_kwargs(), **({"axis": self.axis} if self.axis != -1 else {})}
