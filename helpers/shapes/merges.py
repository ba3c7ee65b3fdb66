"""Merge layers: the running map joined with the output of a named earlier layer.

`Merge` is the base of every two-input spec (trace() finds the skip by name and calls
`join`); the element-wise merges (Add, Subtract, Multiply, Average, Maximum, Minimum)
need equal sizes, or 1 on an axis, which Keras broadcasts (checked against Keras 3 in
tests/test_merges.py). Concatenate (in sizing.py) is a Merge too.

>>> Add(skip="res").join((8, 8, 4), (8, 8, 4))
(8, 8, 4)
>>> Add(skip="gate").join((8, 8, 4), (1, 1, 4))        # broadcast, as in Keras
(8, 8, 4)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .arithmetic import ShapeError, centred_edges
from .spec import Layer, Shape, as_shape, size_text

__all__ = ["Merge", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "MERGES"]


@dataclass(frozen=True)
class Merge(Layer):
    """Base of the two-input specs: the running map joined with the layer named `skip`."""

    skip: str = ""
    name: str | None = None
    keras_name: ClassVar[str] = "merge"

    def _where(self) -> str:
        return f"{self.kind} '{self.name}'" if self.name else self.kind

    def join(self, shape: Shape, skip_shape: Shape) -> Shape:  # pragma: no cover
        """(H, W, C) of the merge of the running map with the skip; ShapeError if refused."""
        raise NotImplementedError

    def join_formula(self, shape: Shape, skip_shape: Shape, out: Shape) -> str:
        """The merge's rule with the numbers in."""
        return f"{size_text(shape)} {self.kind.lower()} {size_text(skip_shape)} = {size_text(out)}"

    def keras_kwargs(self) -> dict[str, Any]:
        return {"name": self.name} if self.name else {}

    def output_shape(self, input_shape: Shape) -> Shape:  # noqa: D102 - needs two inputs
        raise ShapeError(f"{self.kind} needs two inputs: use trace(), which finds the skip "
                         f"'{self.skip}' by name, or {self.kind}.join(shape, skip_shape).")


def _fix(shape: Shape, skip_shape: Shape) -> str:
    """The fixes for two maps of different sizes or channels (one sentence each)."""
    (h, w, c), (sh, sw, sc) = shape, skip_shape
    fixes = []
    if (h, w) != (sh, sw):
        if sh >= h and sw >= w:
            fixes.append(f"crop the skip with Cropping2D({centred_edges((sh, sw), (h, w))})")
        elif sh <= h and sw <= w:
            fixes.append(f"crop the running map with Cropping2D({centred_edges((h, w), (sh, sw))})")
        big, small = ((sh, sw), (h, w)) if sh >= h else ((h, w), (sh, sw))
        k = round(big[0] / small[0])
        if k >= 2 and all(-(-b // k) == s_ for b, s_ in zip(big, small)):
            fixes.append(f"downsample the larger branch with the same stride, a 1x1 "
                         f"Conv2D({max(c, sc)}, 1, strides={k}, padding='same') (ResNet's "
                         "projection shortcut)")
        fixes.append("choose an input size that every pooling divides exactly (or pad the "
                     "input to one)")
    if c != sc and 1 not in (c, sc):
        fixes.append(f"give both branches the same channels (a 1x1 Conv2D({c}) on the skip, "
                     "as ResNet's projection shortcut)")
    return "; or ".join(fixes)


@dataclass(frozen=True)
class _ElementWise(Merge):
    """An element-wise merge: equal (H, W, C), or 1 on an axis (broadcast by Keras)."""

    def join(self, shape: Shape, skip_shape: Shape) -> Shape:
        """(H, W, C) by Keras's broadcasting; ShapeError naming both sizes and a fix."""
        a, b = as_shape(shape), as_shape(skip_shape)
        if all(x == y or 1 in (x, y) for x, y in zip(a, b)):
            return tuple(max(x, y) for x, y in zip(a, b))  # type: ignore[return-value]
        raise ShapeError(
            f"{self._where()} joins the skip '{self.skip}' of size {size_text(b)} with a map of "
            f"size {size_text(a)}: an element-wise merge needs equal height, width and channels "
            f"(or 1 on an axis, which Keras broadcasts). Fix: {_fix(a, b)}.")


@dataclass(frozen=True)
class Add(_ElementWise):
    """keras.layers.Add: map + skip (a residual block's join).

    >>> Add(skip="block_in").join((16, 16, 8), (16, 16, 8))
    (16, 16, 8)
    """

    keras_name: ClassVar[str] = "add"


@dataclass(frozen=True)
class Subtract(_ElementWise):
    """keras.layers.Subtract: map - skip.

    >>> Subtract(skip="a").join((4, 4, 2), (4, 4, 1))
    (4, 4, 2)
    """

    keras_name: ClassVar[str] = "subtract"


@dataclass(frozen=True)
class Multiply(_ElementWise):
    """keras.layers.Multiply: map * skip (an attention gate's join).

    >>> Multiply(skip="gate").join((16, 16, 8), (16, 16, 1))
    (16, 16, 8)
    """

    keras_name: ClassVar[str] = "multiply"


@dataclass(frozen=True)
class Average(_ElementWise):
    """keras.layers.Average: (map + skip) / 2.

    >>> Average(skip="a").join((4, 4, 2), (4, 4, 2))
    (4, 4, 2)
    """

    keras_name: ClassVar[str] = "average"


@dataclass(frozen=True)
class Maximum(_ElementWise):
    """keras.layers.Maximum: the larger of map and skip, element by element.

    >>> Maximum(skip="a").join((4, 4, 2), (4, 4, 2))
    (4, 4, 2)
    """

    keras_name: ClassVar[str] = "maximum"


@dataclass(frozen=True)
class Minimum(_ElementWise):
    """keras.layers.Minimum: the smaller of map and skip, element by element.

    >>> Minimum(skip="a").join((4, 4, 2), (4, 4, 2))
    (4, 4, 2)
    """

    keras_name: ClassVar[str] = "minimum"


MERGES = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate")
