"""The base of every layer spec, and the parsing of Keras's argument forms.

A spec is a frozen dataclass with Keras's own argument names. `Layer` gives it the
per-axis size rule, the formula text and the Keras arguments; `pair`, `edges` and
`as_shape` read the forms Keras accepts (an int or a pair; ((top, bottom), (left,
right)); (H, W) or (H, W, C)).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, ClassVar

from .arithmetic import ShapeError

__all__ = ["Layer", "Shape", "Pair", "pair", "edges", "as_shape", "size_text"]

Shape = tuple[int, int, int]
Pair = tuple[int, int]
AXES = ("height", "width")


def size_text(shape: tuple | None) -> str:
    """A size as people write it: '8x8x4'; '?' for an unknown size or axis; the inputs of a
    merge joined by ' + '.

    >>> size_text((8, None, 4)), size_text(((4, 4, 2), (4, 4, 1))), size_text(None)
    ('8x?x4', '4x4x2 + 4x4x1', '?')
    """
    if not shape:
        return "?"
    if isinstance(shape[0], tuple):
        return " + ".join(size_text(s) for s in shape)
    return "x".join("?" if v is None else str(v) for v in shape)


def pair(name: str, value: Any) -> Pair:
    """(height, width) from an int or a pair, as Keras accepts them; `name` is for the error.

    >>> pair("strides", 2), pair("kernel_size", (3, 5))
    ((2, 2), (3, 5))
    """
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


def edges(name: str, value: Any) -> tuple[Pair, Pair]:
    """Cropping/padding amounts as ((top, bottom), (left, right)), from any Keras form.

    >>> edges("padding", 1), edges("cropping", (1, 2))
    (((1, 1), (1, 1)), ((1, 1), (2, 2)))
    """
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


def as_shape(shape: Any) -> Shape:
    """(H, W, C) from (H, W, C) or (H, W) (one channel), checked.

    >>> as_shape((28, 28))
    (28, 28, 1)
    """
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
        shape = as_shape(input_shape)
        h, w = self._sizes(shape)
        text = _axis_text([self._axis_formula(0, shape[0], h), self._axis_formula(1, shape[1], w)])
        return (h, w, self._channels(shape[2])), text

    def output_shape(self, input_shape: Shape) -> Shape:
        """(H, W, C) after this layer; raises ShapeError if it cannot run."""
        shape = as_shape(input_shape)
        h, w = self._sizes(shape)
        return h, w, self._channels(shape[2])

    def formula(self, input_shape: Shape) -> str:
        """The size rule with the numbers in, e.g. 'ceil(28 / 2) = 14'."""
        return self.step(input_shape)[1]

    def keras_kwargs(self) -> dict[str, Any]:
        """The arguments of the equivalent Keras layer."""
        return {k: v for k, v in self.__dict__.items() if v is not None or k == "strides"}
