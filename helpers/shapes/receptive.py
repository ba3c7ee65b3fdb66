"""Receptive field of every layer of an encoder: size, jump and start.

The recurrences of Dumoulin & Visin (2016) and Araujo et al. (2019), per axis,
with ke = dilation * (kernel - 1) + 1 and p the zeros padded before:

    r_out = r_in + (ke - 1) * j_in      (pixels of the input one output pixel sees)
    j_out = j_in * s                    (input pixels between neighbouring outputs)
    start_out = start_in + ((ke - 1) / 2 - p) * j_in   (centre of the first window)

>>> rf = receptive_field([Conv2D(8, 3), Conv2D(8, 3), MaxPooling2D(2)], (28, 28, 1))
>>> [row.size for row in rf]
[(3, 3), (5, 5), (6, 6)]
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .arithmetic import ShapeError, dilated, same_padding
from .layers import Conv2D, DepthwiseConv2D, MaxPooling2D
from .sizing import Cropping2D, ZeroPadding2D
from .spec import Layer, Shape, as_shape, edges, pair
from .trace import layer_names, trace

__all__ = ["ReceptiveField", "RFRow", "receptive_field"]


@dataclass(frozen=True)
class RFRow:
    """One layer: receptive field size, jump and start, as (height, width) pairs."""

    name: str
    kind: str
    size: tuple[int, int]
    jump: tuple[int, int]
    start: tuple[float, float]


@dataclass(frozen=True)
class ReceptiveField:
    """Rows of receptive_field(); prints as a table, renders as HTML."""

    rows: tuple[RFRow, ...]

    def __iter__(self) -> Iterator[RFRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> RFRow:
        return self.rows[i]

    def _cells(self) -> list[list[str]]:
        def pair(p: tuple) -> str:
            return f"{p[0]:g}" if p[0] == p[1] else f"{p[0]:g}x{p[1]:g}"
        return [[r.name, r.kind, pair(r.size), pair(r.jump), pair(r.start)] for r in self.rows]

    def __str__(self) -> str:
        table = [["layer", "kind", "receptive field", "jump", "start"], *self._cells()]
        widths = [max(len(row[i]) for row in table) for i in range(5)]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
                         for row in table)

    __repr__ = __str__  # plain consoles show the table, not the fields

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ["layer", "kind", "receptive field", "jump",
                                                 "start"])
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in self._cells())
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _window(layer: Layer, axis: int) -> tuple[int, int, int]:
    """(kernel, stride, dilation) of a conv or pooling layer along one axis."""
    if isinstance(layer, (Conv2D, DepthwiseConv2D)):
        return (pair("kernel_size", layer.kernel_size)[axis],
                pair("strides", layer.strides)[axis],
                pair("dilation_rate", layer.dilation_rate)[axis])
    k = pair("pool_size", layer.pool_size)[axis]
    s = k if layer.strides is None else pair("strides", layer.strides)[axis]
    return k, s, 1


def receptive_field(layers: Sequence[Layer], input_shape: Shape) -> ReceptiveField:
    """Receptive field size, jump and start (input pixel coordinates) after each layer.

    Covers Conv2D, pooling, Cropping2D and ZeroPadding2D: the layers of an encoder.

    >>> receptive_field([Conv2D(8, 3, dilation_rate=2)], (28, 28, 1))[0].size
    (5, 5)
    """
    t = trace(as_shape(input_shape), layers)  # validates every layer first
    r, j, start = [1, 1], [1, 1], [0.0, 0.0]
    rows = []
    for layer, name, row in zip(layers, layer_names(layers), t):
        for axis in (0, 1):
            n = row.input_shape[axis]
            if isinstance(layer, (Conv2D, DepthwiseConv2D, MaxPooling2D)):
                k, s, d = _window(layer, axis)
                ke = dilated(k, d)
                p = same_padding(n, k, s, d)[0] if layer.padding.lower() == "same" else 0
                start[axis] += ((ke - 1) / 2 - p) * j[axis]
                r[axis] += (ke - 1) * j[axis]
                j[axis] *= s
            elif isinstance(layer, (Cropping2D, ZeroPadding2D)):
                amounts = edges("cropping", layer.cropping) if isinstance(layer, Cropping2D) \
                    else edges("padding", layer.padding)
                sign = 1 if isinstance(layer, Cropping2D) else -1
                start[axis] += sign * amounts[axis][0] * j[axis]
            else:
                raise ShapeError(f"{layer.kind} '{name}': receptive_field covers conv, pooling, "
                                 "crop and pad layers; pass the encoder part of the network only.")
        rows.append(RFRow(name, layer.kind, (r[0], r[1]), (j[0], j[1]), (start[0], start[1])))
    return ReceptiveField(tuple(rows))
