"""Transposed convolutions: how each input pixel is painted over the output, and the overlap.

A Conv2DTranspose paints a kernel-sized patch for every input pixel, patches
``stride`` apart; where patches overlap, output pixels add up several
contributions. When the kernel is not divisible by the stride, neighbouring
pixels get different counts: the checkerboard artifact.

>>> overlap_counts(2, 3, 2)
array([[1, 1, 2, 1, 1],
       [1, 1, 2, 1, 1],
       [2, 2, 4, 2, 2],
       [1, 1, 2, 1, 1],
       [1, 1, 2, 1, 1]])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from helpers.shapes import Conv2DTranspose, deconv_out

from .convolution import _cell_borders
from .style import FONT, LIGHT, MARKS, PALETTE, PlotError, _axes, _bare, _figure, _tint

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["overlap_counts", "overlap_map", "transpose_grid"]


def _canvas(n: int, kernel: int, stride: int, padding: str,
            output_padding: int | None) -> tuple[np.ndarray, int, int]:
    """Per-axis counts over every position a patch reaches, where the Keras output
    starts on that canvas (the "same" crop), and the output length."""
    length = deconv_out(n, kernel, stride, padding, output_padding)  # raises ShapeError
    full = (n - 1) * stride + kernel
    before = 0 if padding.lower() == "valid" else max(full - length, 0) // 2
    counts = np.zeros(max(full, before + length), int)
    for i in range(n):
        counts[i * stride:i * stride + kernel] += 1
    return counts, before, length


def overlap_counts(n: int, kernel: int, stride: int, padding: str = "valid",
                   output_padding: int | None = None) -> np.ndarray:
    """The (H, W) array of how many input pixels contribute to each output pixel of a
    Conv2DTranspose on an n x n input (what it outputs for all-ones input and kernel).

    >>> overlap_counts(3, 4, 2, padding="same")[2:4, 2:4].tolist()   # even inside
    [[4, 4], [4, 4]]
    """
    counts, before, length = _canvas(n, kernel, stride, padding, output_padding)
    axis = counts[before:before + length]
    return np.outer(axis, axis)


def _interior(kernel: int, stride: int) -> list[int]:
    """The counts an output pixel far from the border can get, per 2D pixel."""
    low, high = kernel // stride, -(-kernel // stride)
    return sorted({low * low, low * high, high * high})


def _verdict(kernel: int, stride: int) -> str:
    counts = ", ".join(map(str, _interior(kernel, stride)))
    if kernel % stride == 0:
        return f"kernel {kernel} divisible by stride {stride}: every inner pixel gets {counts}"
    return (f"kernel {kernel} not divisible by stride {stride}: inner pixels get {counts} "
            "-> checkerboard")


def _cmap():  # noqa: ANN202 - a matplotlib Colormap
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("overlap", ["#FFFFFF", PALETTE["sky"],
                                                         PALETTE["blue"]])


def _write_counts(ax: Axes, counts: np.ndarray, x0: float, y0: float, top: float,
                  alpha: np.ndarray | None = None) -> None:
    """Each count in its cell, white on dark cells; skipped when the grid is too fine."""
    if max(counts.shape) > 24:
        return
    for (r, c), v in np.ndenumerate(counts):
        dark = top and v / top > 0.6
        ax.text(x0 + c + 0.5, y0 + r + 0.5, str(v), ha="center", va="center",
                fontsize=FONT["small"], color="white" if dark else PALETTE["black"],
                alpha=1.0 if alpha is None else alpha[r, c], gid="count")


def _picks(n: int) -> list[tuple[int, int]]:
    """Input pixels whose patches are drawn: first, second and last (no repeats)."""
    return list(dict.fromkeys(p for p in [(0, 0), (0, 1), (n - 1, n - 1)] if max(p) < n))


def _draw_grids(ax: Axes, n: int, kernel: int, stride: int, canvas: tuple) -> None:
    """Input grid on the left; on the right every cell a patch reaches, shaded and numbered
    by its overlap count, the Keras output framed, the cropped cells grey."""
    from matplotlib.collections import LineCollection
    from matplotlib.patches import FancyArrowPatch, Rectangle

    counts, before, length = canvas
    size, grid = len(counts), np.outer(counts, counts)
    inside = np.zeros(size, bool)
    inside[before:before + length] = True
    keep = np.outer(inside, inside)
    x0, top_in = n + max(2.0, 0.3 * n), (size - n) / 2
    rgba = _cmap()(grid / max(grid.max(), 1))
    rgba[~keep] = _tint(LIGHT, 1.0)
    ax.imshow(np.ones((n, n, 4)), extent=(0, n, top_in + n, top_in), interpolation="nearest")
    ax.imshow(rgba, extent=(x0, x0 + size, size, 0), interpolation="nearest", gid="overlap")
    ax.add_collection(LineCollection(_cell_borders(n, 0, top_in) + _cell_borders(size, x0, 0),
                                     colors="#A0A0A0", linewidths=0.6))
    _write_counts(ax, grid, x0, 0, grid.max(), np.where(keep, 1.0, 0.45))
    ax.add_patch(Rectangle((x0 + before, before), length, length, fill=False, lw=1.8,
                           ec=PALETTE["black"]))
    for k, ((r, c), colour) in enumerate(zip(_picks(n), MARKS)):
        inset = 0.08 + 0.09 * k
        ax.add_patch(Rectangle((c + 0.1, top_in + r + 0.1), 0.8, 0.8, fc=_tint(colour, 0.5),
                               ec=colour, lw=2))
        ax.add_patch(Rectangle((x0 + c * stride + inset, r * stride + inset), kernel - 2 * inset,
                               kernel - 2 * inset, fill=False, ec=colour, lw=2.4, gid="patch"))
    ax.add_patch(FancyArrowPatch((n + 0.3, size / 2), (x0 - 0.3, size / 2), arrowstyle="-|>",
                                 mutation_scale=16, color=PALETTE["black"]))
    ax.text(n / 2, top_in - 0.3, f"input {n}x{n}", ha="center", va="bottom",
            fontsize=FONT["normal"])
    ax.set_xlim(-0.5, x0 + size + 0.5)
    ax.set_ylim(size + 0.5, -1.6)


def transpose_grid(n: int, kernel: int, stride: int, padding: str = "valid",
                   output_padding: int | None = None, ax: Axes | None = None) -> Figure:
    """A figure of a Conv2DTranspose on an n x n input: each input pixel's patch on the
    output, the overlap count per output pixel, and what "same" crops away.

    >>> fig = transpose_grid(3, 3, 2, padding="same")
    >>> fig.axes[0].get_title().splitlines()[1]
    '3 * 2 = 6 -> output 6x6'
    """
    from matplotlib.patches import Patch

    canvas = _canvas(n, kernel, stride, padding, output_padding)  # raises ShapeError
    size, length = len(canvas[0]), canvas[2]
    if ax is None:
        ax = _figure((9, 4.8)).add_subplot()
        ax.figure.subplots_adjust(left=0.02, right=0.72, bottom=0.08, top=0.86)
    _draw_grids(ax, n, kernel, stride, canvas)
    cropped = f" (grey: cropped by padding='{padding}')" if size > length else ""
    ax.text(n + max(2.0, 0.3 * n) + size / 2, -0.3, f"output {length}x{length}{cropped}",
            ha="center", va="bottom", fontsize=FONT["normal"])
    args = f"kernel_size={kernel}, strides={stride}, padding='{padding}'"
    args += "" if output_padding is None else f", output_padding={output_padding}"
    formula = Conv2DTranspose(1, kernel, strides=stride, padding=padding,
                              output_padding=output_padding).formula((n, n, 1))
    ax.set_title(f"Conv2DTranspose({args}) on {n}x{n}\n{formula} -> output {length}x{length}",
                 fontsize=FONT["title"])
    ax.set_xlabel("numbers: how many input pixels paint each output pixel\n"
                  + _verdict(kernel, stride), fontsize=FONT["normal"])
    handles = [Patch(fill=False, ec=c, lw=2.4, label=f"patch of input {w}")
               for c, w in zip(MARKS, ("(0, 0)", "(0, 1)", "(last, last)"))][:len(_picks(n))]
    handles.append(Patch(fc=_tint(LIGHT, 1.0), ec="#A0A0A0", label="cropped away"))
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False,
              fontsize=FONT["small"])
    ax.set_aspect("equal")
    _bare(ax)
    return ax.figure


def overlap_map(kernel: int, stride: int, ax: Axes | None = None, n: int | None = None) -> Figure:
    """A heat map of the overlap count per output pixel of a transposed convolution
    (the full output of an n x n input, no cropping), with the counts written in.

    ``n`` defaults to the smallest input that shows the inner pattern. When the
    kernel is not divisible by the stride the inner counts alternate: that
    unevenness is the checkerboard artifact.

    >>> fig = overlap_map(3, 2)
    >>> int(fig.axes[0].images[0].get_array().max())
    4
    """
    if n is None:
        n = max(3, -(-kernel // stride) + 2)
    try:
        counts = overlap_counts(n, kernel, stride)
    except ValueError as e:
        raise PlotError(f"kernel={kernel}, stride={stride}, n={n}: {e}") from None
    ax = _axes(ax, (5.2, 5.4))
    ax.imshow(counts, cmap=_cmap(), vmin=0, vmax=max(counts.max(), 1), interpolation="nearest",
              extent=(0, counts.shape[1], counts.shape[0], 0))
    _write_counts(ax, counts, 0, 0, counts.max())
    ax.set_title(f"Overlap of a transposed conv: kernel {kernel}, stride {stride}\n"
                 + _verdict(kernel, stride), fontsize=FONT["normal"])
    ax.set_xlabel(f"output column ({n}x{n} input, no cropping)", fontsize=FONT["normal"])
    ax.set_ylabel("output row", fontsize=FONT["normal"])
    ax.tick_params(labelsize=FONT["small"])
    return ax.figure
