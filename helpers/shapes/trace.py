"""Trace a network layer by layer: every shape, every formula, every size change.

`trace(input_shape, layers)` works on specs alone (microseconds, no TensorFlow);
`helpers.bridge.trace_model(model)` reads the same rows from a real Keras model.

>>> t = trace((28, 28, 1), [Conv2D(8, 3, strides=2), MaxPooling2D(2)])
>>> t.output_shape
(6, 6, 8)
>>> print(t)                                        # doctest: +NORMALIZE_WHITESPACE
#  layer          kind          input       output      size  formula
1  conv2d         Conv2D        28x28x1     13x13x8     <-    floor((28 - 3) / 2) + 1 = 13
2  max_pooling2d  MaxPooling2D  13x13x8     6x6x8       <-    floor((13 - 2) / 2) + 1 = 6
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .arithmetic import ShapeError
from .merges import Merge
from .spec import Layer, Shape, as_shape, size_text

__all__ = ["TraceRow", "Trace", "trace", "trace_until", "layer_names"]


@dataclass(frozen=True)
class TraceRow:
    """One layer of a trace: its shapes, its formula, and whether H or W changed."""

    name: str
    kind: str
    input_shape: tuple
    output_shape: tuple
    formula: str
    changed: bool
    skip: str | None = None  # for a merge (Add, Concatenate...): the layer it joins

    @property
    def spatial_in(self) -> tuple | None:
        """(H, W) going in, or None when the input is not a feature map."""
        return _spatial(self.input_shape)

    @property
    def spatial_out(self) -> tuple | None:
        """(H, W) coming out, or None when the output is not a feature map."""
        return _spatial(self.output_shape)


def _spatial(shape: tuple) -> tuple | None:
    if shape and isinstance(shape[0], tuple):  # several inputs: the first one
        shape = shape[0]
    return tuple(shape[:2]) if len(shape) == 3 else None


@dataclass(frozen=True)
class Trace:
    """Rows of a traced network; prints as a table, renders as HTML in Jupyter."""

    input_shape: tuple
    rows: tuple[TraceRow, ...]

    def __iter__(self) -> Iterator[TraceRow]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> TraceRow:
        return self.rows[i]

    @property
    def output_shape(self) -> tuple:
        """The shape the last layer produces (the input shape for an empty trace)."""
        return self.rows[-1].output_shape if self.rows else self.input_shape

    @property
    def changed(self) -> list[TraceRow]:
        """The rows whose layer changes the spatial size."""
        return [r for r in self.rows if r.changed]

    def _table(self) -> list[list[str]]:
        return [[str(i), r.name, r.kind, size_text(r.input_shape), size_text(r.output_shape),
                 "<-" if r.changed else "", r.formula + (f" (skip: {r.skip})" if r.skip else "")]
                for i, r in enumerate(self.rows, 1)]

    def __str__(self) -> str:
        head = ["#", "layer", "kind", "input", "output", "size", "formula"]
        body = self._table()
        widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
                 for row in [head, *body]]
        return "\n".join(lines)

    __repr__ = __str__  # plain consoles show the table, not the fields

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in
                       ["#", "layer", "kind", "input", "output", "size changes", "formula"])
        rows = []
        for row, r in zip(self._table(), self.rows):
            style = ' style="background:#fff3cd;color:#000000"' if r.changed else ""  # any theme
            row[5] = "yes" if r.changed else ""
            cells = "".join(f"<td>{html.escape(c)}</td>" for c in row)
            rows.append(f"<tr{style}>{cells}</tr>")
        return (f"<table><caption>input {size_text(self.input_shape)} &rarr; output "
                f"{size_text(self.output_shape)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")


def layer_names(layers: Sequence[Layer]) -> list[str]:
    """Each layer's name: its own, or Keras-style ('conv2d', 'conv2d_1', ...).

    >>> layer_names([Conv2D(8, 3), Conv2D(8, 3), MaxPooling2D()])
    ['conv2d', 'conv2d_1', 'max_pooling2d']
    """
    names, counts = [], {}
    for layer in layers:
        if not isinstance(layer, Layer):
            raise ShapeError(f"layers contains {layer!r}, which is not a layer spec; use the "
                             "specs from helpers.shapes, e.g. Conv2D(16, 3).")
        if layer.name:
            name = layer.name
        else:
            k = counts.get(layer.keras_name, 0)
            counts[layer.keras_name] = k + 1
            name = layer.keras_name if k == 0 else f"{layer.keras_name}_{k}"
        if name in names:
            raise ShapeError(f"two layers are named '{name}'; give each layer its own name=.")
        names.append(name)
    return names


def trace_until(input_shape: Shape, layers: Sequence[Layer]) -> tuple[Trace, ShapeError | None]:
    """The rows up to the first layer that cannot run, and that layer's ShapeError (None
    when every layer runs): what a picture of a failing network draws.

    >>> t, error = trace_until((3, 3, 1), [MaxPooling2D(2), MaxPooling2D(2)])
    >>> len(t), str(error).split(":")[0]
    (1, 'MaxPooling2D, height axis')
    """
    shape = as_shape(input_shape)
    seen: dict[str, Shape] = {}
    rows = []
    for layer, name in zip(layers, layer_names(layers)):
        if isinstance(layer, Merge) and layer.skip not in seen:
            raise ShapeError(f"{layer.kind}(skip={layer.skip!r}) names no earlier layer; "
                             f"use one of {sorted(seen) or 'the layers before it'}.")
        try:
            if isinstance(layer, Merge):
                skip = seen[layer.skip]
                out = layer.join(shape, skip)
                row = TraceRow(name, layer.kind, (shape, skip), out,
                               layer.join_formula(shape, skip, out), out[:2] != shape[:2],
                               layer.skip)
            else:
                out, formula = layer.step(shape)
                row = TraceRow(name, layer.kind, shape, out, formula, out[:2] != shape[:2])
        except ShapeError as error:
            return Trace(as_shape(input_shape), tuple(rows)), error
        rows.append(row)
        seen[name] = shape = out
    return Trace(as_shape(input_shape), tuple(rows)), None


def trace(input_shape: Shape, layers: Sequence[Layer]) -> Trace:
    """Trace specs from an input shape (H, W, C): one row per layer; ShapeError at the
    first layer that cannot run.

    >>> trace((75, 75, 3), [MaxPooling2D(2), UpSampling2D(2)]).output_shape
    (74, 74, 3)
    """
    rows, error = trace_until(input_shape, layers)
    if error is not None:
        raise error
    return rows


# Names used in the doctests above.
from .layers import Conv2D, MaxPooling2D  # noqa: E402,F401
from .sizing import UpSampling2D  # noqa: E402,F401
