"""The convolution grid: where a Conv2D's windows land on the input, and what they miss.

`conv_grid(n, kernel, stride, padding, dilation)` draws once; `ConvGridView`
redraws in place for sliders: two RGBA images (input with its padding, output),
one LineCollection for the cell borders, and a fixed set of outlines.

>>> fig = conv_grid(7, 3, stride=2)
>>> fig.axes[0].get_title().splitlines()[1]
'floor((7 - 3) / 2) + 1 = 3 -> output 3x3'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from helpers.shapes import Conv2D, conv_out, dilated, same_padding

from .style import (
    FONT,
    LIGHT,
    MARKS,
    PALETTE,
    _bare,
    _Key,
    _place,
    _swatch,
    _tint,
    _view_on,
)
from .textcache import cache_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["ConvGridView", "conv_grid"]

FIGSIZE = (9, 4.6)  # inches, for a figure of its own
MARGINS = {"left": 0.02, "right": 0.7, "bottom": 0.08, "top": 0.86}

# Cell states of the input grid, and their colours.
INPUT, PADDING, DROPPED, SKIPPED = range(4)
STATE_NAMES = ("input pixel", "padding (zeros)", "dropped by floor(): no window reaches it",
               "skipped: between window taps")


def _state_colours() -> np.ndarray:
    return np.array([(1.0, 1.0, 1.0, 1.0), _tint(LIGHT, 1.0), _tint(PALETTE["vermillion"], 0.45),
                     _tint(PALETTE["yellow"], 0.8)])


@dataclass(frozen=True)
class AxisPlan:
    """One axis of a convolution: padding, window starts and what each input cell is.

    >>> AxisPlan.of(8, 3, 2, "valid", 1).states.tolist()   # the last pixel is dropped
    [0, 0, 0, 0, 0, 0, 0, 2]
    """

    n: int
    out: int
    before: int
    after: int
    span: int  # the dilated kernel, ke
    stride: int
    dilation: int
    states: np.ndarray  # per padded cell: INPUT, PADDING, DROPPED or SKIPPED

    @classmethod
    def of(cls, n: int, kernel: int, stride: int, padding: str, dilation: int) -> AxisPlan:
        """The plan for one axis; raises ShapeError when Keras would refuse the layer."""
        out = conv_out(n, kernel, stride, padding, dilation)
        before, after = (same_padding(n, kernel, stride, dilation)
                         if padding.lower() == "same" else (0, 0))
        span = dilated(kernel, dilation)
        covered = np.zeros(n + before + after, bool)
        for start in range(0, out * stride, stride):
            covered[start:start + span:dilation] = True
        states = np.full(covered.shape, INPUT)
        states[:before] = states[before + n:] = PADDING
        inside = states == INPUT
        end = (out - 1) * stride + span  # one past the last window
        index = np.arange(len(covered))
        states[inside & ~covered & (index >= end)] = DROPPED
        states[inside & ~covered & (index < end)] = SKIPPED
        return cls(n, out, before, after, span, stride, dilation, states)

    @property
    def dropped(self) -> int:
        """Input pixels at the end of the axis that no window reaches."""
        return int(np.sum(self.states == DROPPED))


def _states_2d(plan: AxisPlan) -> np.ndarray:
    """(P, P) cell states of the padded input: padding wins, then dropped, then skipped."""
    r, c = plan.states[:, None], plan.states[None, :]
    grid = np.where((r == SKIPPED) | (c == SKIPPED), SKIPPED, INPUT)
    grid = np.where((r == DROPPED) | (c == DROPPED), DROPPED, grid)
    return np.where((r == PADDING) | (c == PADDING), PADDING, grid)


def _marked(out: int) -> list[tuple[int, int]]:
    """Output positions whose windows are drawn: first, second and last (no repeats)."""
    picks = [(0, 0), (0, 1), (out - 1, out - 1)]
    return list(dict.fromkeys(p for p in picks if max(p) < out))


def _cell_borders(size: int, x0: float, y0: float) -> list:
    ends = (x0, x0 + size), (y0, y0 + size)
    return ([((x0 + i, ends[1][0]), (x0 + i, ends[1][1])) for i in range(size + 1)]
            + [((ends[0][0], y0 + i), (ends[0][1], y0 + i)) for i in range(size + 1)])


def _crosses(cells: np.ndarray) -> list:
    """Two short strokes, an X, in every True cell (a cue that does not rely on colour)."""
    return [seg for r, c in np.argwhere(cells) for seg in (
        ((c + 0.25, r + 0.25), (c + 0.75, r + 0.75)), ((c + 0.25, r + 0.75), (c + 0.75, r + 0.25)))]


def _title(n: int, kernel: int, stride: int, padding: str, dilation: int,
           plan: AxisPlan) -> str:
    args = f"kernel_size={kernel}, strides={stride}, padding='{padding}'"
    args += f", dilation_rate={dilation}" if dilation > 1 else ""
    formula = Conv2D(1, kernel, strides=stride, padding=padding,
                     dilation_rate=dilation).formula((n, n, 1))
    if dilation > 1:
        formula = f"ke = {dilation} * ({kernel} - 1) + 1 = {plan.span}; " + formula
    if plan.before or plan.after:
        formula += f" (pads {plan.before} top/left, {plan.after} bottom/right)"
    return f"Conv2D({args})\n{formula} -> output {plan.out}x{plan.out}"


def _key_entries() -> list[tuple[str, dict]]:
    colours = _state_colours()
    key = [(STATE_NAMES[PADDING], _swatch(colours[PADDING], "#A0A0A0")),
           (STATE_NAMES[DROPPED], _swatch(colours[DROPPED], PALETTE["vermillion"], marker="X",
                                          ms=11)),
           (STATE_NAMES[SKIPPED], _swatch(colours[SKIPPED], "#A0A0A0"))]
    return key + [(f"window of output {w}", _swatch("none", c, mew=2.2))
                  for c, w in zip(MARKS, ("(0, 0)", "(0, 1)", "(last, last)"))]


class ConvGridView:
    """A convolution grid that redraws in place: ``view.update(n, kernel, stride, ...)``.

    >>> view = ConvGridView().update(8, 3, stride=2)   # on a figure of its own
    >>> view.plan.out, view.plan.dropped
    (3, 1)
    """

    def __init__(self, where: Figure | Axes | None = None) -> None:
        from matplotlib.collections import LineCollection
        from matplotlib.lines import Line2D
        from matplotlib.patches import FancyArrowPatch, Rectangle

        self.ax = ax = _place(where, FIGSIZE, MARGINS)
        self.fig = ax.figure
        cache_text(self.fig)  # labels repeat from one redraw to the next: render each once
        blank = np.ones((1, 1, 4))
        self._input = ax.imshow(blank, extent=(0, 1, 1, 0), interpolation="nearest", zorder=0)
        self._output = ax.imshow(blank, extent=(0, 1, 1, 0), interpolation="nearest", zorder=0)
        self._input.set_gid("input")
        self._output.set_gid("output")
        self._borders = ax.add_collection(LineCollection([], colors="#A0A0A0", linewidths=0.6,
                                                         zorder=1))
        self._crosses = ax.add_collection(LineCollection([], colors=PALETTE["vermillion"],
                                                         linewidths=1.3, zorder=2, gid="dropped"))
        self._frame = ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, ec=PALETTE["black"],
                                             lw=1.6, zorder=2))
        self._windows = [ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, ec=c, lw=2.4,
                                                zorder=3, gid="window")) for c in MARKS]
        self._cells = [ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, ec=c, lw=2.4, zorder=3))
                       for c in MARKS]
        self._taps = [ax.add_line(Line2D([], [], ls="", marker="o", ms=4, color=c, zorder=4))
                      for c in MARKS]
        self._arrow = ax.add_patch(FancyArrowPatch((0, 0), (1, 0), arrowstyle="-|>",
                                                   mutation_scale=16, color=PALETTE["black"]))
        self._labels = [ax.text(0, 0, "", ha="center", va="bottom", fontsize=FONT["normal"])
                        for _ in range(2)]
        ax.set_aspect("equal")
        _bare(ax)
        ax.xaxis.set_label_coords(0.5, -0.02)
        key = _key_entries()
        _Key(ax, len(key), (1.06, 0.62), vertical=True).show(key)
        self.plan: AxisPlan | None = None

    @property
    def alive(self) -> bool:
        """False once its axes has been cleared (ax.cla()) and the artists are gone."""
        return self._frame.axes is self.ax

    def update(self, n: int, kernel: int, stride: int = 1, padding: str = "valid",
               dilation: int = 1) -> ConvGridView:
        """This view, redrawn for an n x n input; raises ShapeError (drawing nothing)
        when Keras would refuse the layer. Call ``fig.canvas.draw_idle()`` afterwards."""
        plan = AxisPlan.of(n, kernel, stride, padding, dilation)
        size, out = len(plan.states), plan.out
        x0, y0 = size + max(2.0, 0.25 * size), (size - out) / 2
        marks, states = _marked(out), _states_2d(plan)
        self._input.set_data(_state_colours()[states])
        self._input.set_extent((0, size, size, 0))
        cells = np.ones((out, out, 4))
        for (r, c), colour in zip(marks, MARKS):
            cells[r, c] = _tint(colour, 0.45)
        self._output.set_data(cells)
        self._output.set_extent((x0, x0 + out, y0 + out, y0))
        self._borders.set_segments(_cell_borders(size, 0, 0) + _cell_borders(out, x0, y0))
        self._crosses.set_segments(_crosses(states == DROPPED))
        self._frame.set_bounds(plan.before, plan.before, n, n)
        self._draw_windows(plan, marks, x0, y0)
        self._arrow.set_positions((size + 0.3, size / 2), (x0 - 0.3, size / 2))
        for label, (x, y, text) in zip(self._labels, (
                (size / 2, -0.3, f"input {n}x{n}" + (" + padding" if size > n else "")),
                (x0 + out / 2, y0 - 0.3, f"output {out}x{out}"))):
            label.set_position((x, y))
            label.set_text(text)
        inside = slice(plan.before, plan.before + n)
        unused = int(np.sum(states[inside, inside] >= DROPPED))
        self.ax.set_xlabel(f"input pixels no window reads: {unused} of {n * n}",
                           fontsize=FONT["normal"], va="top")
        self.ax.set_title(_title(n, kernel, stride, padding, dilation, plan),
                          fontsize=FONT["title"])
        self.ax.set_xlim(-0.5, x0 + out + 0.5)
        self.ax.set_ylim(size + 0.5, -1.6)
        self.plan = plan
        return self

    def _draw_windows(self, plan: AxisPlan, marks: list[tuple[int, int]], x0: float,
                      y0: float) -> None:
        for k, (window, cell, taps) in enumerate(zip(self._windows, self._cells, self._taps)):
            shown = k < len(marks)
            for artist in (window, cell, taps):
                artist.set_visible(shown)
            if not shown:
                continue
            (r, c), inset = marks[k], 0.1 + 0.09 * k
            top, left = r * plan.stride, c * plan.stride
            window.set_bounds(left + inset, top + inset, plan.span - 2 * inset,
                              plan.span - 2 * inset)
            cell.set_bounds(x0 + c + inset, y0 + r + inset, 1 - 2 * inset, 1 - 2 * inset)
            if plan.dilation > 1:
                offsets = np.arange(0, plan.span, plan.dilation) + 0.5
                xs, ys = np.meshgrid(left + offsets, top + offsets)
                taps.set_data(xs.ravel(), ys.ravel())
            else:
                taps.set_data([], [])


def conv_grid(n: int, kernel: int, stride: int = 1, padding: str = "valid", dilation: int = 1,
              ax: Axes | None = None) -> Figure:
    """A figure of a Conv2D on an n x n input: padding, windows, unused pixels, output.

    Padding cells are grey (TensorFlow puts the odd one at the bottom/right);
    the windows of the first, second and last output pixels are outlined in the
    colours of those output cells; input pixels no window reaches are vermillion
    (floor() drops them) and pixels skipped between taps or strides are yellow.
    Raises ShapeError, before drawing, for a layer Keras refuses.

    >>> fig = conv_grid(7, 3, stride=2, padding="same")
    >>> fig.axes[0].get_title().splitlines()[1]
    'ceil(7 / 2) = 4 (pads 1 top/left, 1 bottom/right) -> output 4x4'
    """
    AxisPlan.of(n, kernel, stride, padding, dilation)  # refuse before making a figure
    AxisPlan.of(n, kernel, stride, padding, dilation)  # refuse before making a figure
    view = _view_on(ax, ConvGridView)
    return view.update(n, kernel, stride, padding, dilation).fig

