"""The look shared by every picture: colours, font sizes, figure creation, errors.

Matplotlib is imported inside the functions that draw, so importing this
module (and ``helpers.plots``) stays cheap.

>>> PALETTE["blue"]
'#0072B2'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from helpers.errors import PlotError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["CLASS_COLOURS", "FONT", "PALETTE", "PlotError"]

# Okabe & Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/).
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

# Mask class id -> colour, in the order of helpers.data.CLASS_NAMES
# (background, circle, square, triangle); background is drawn transparent.
CLASS_COLOURS = (PALETTE["black"], PALETTE["orange"], PALETTE["sky"], PALETTE["green"])

# One series per strategy: the palette in an order where neighbours differ in lightness.
SERIES = tuple(PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky",
                                    "black", "yellow"))
# Three marked windows (first, second, last), in colours that differ for every vision type.
MARKS = (PALETTE["orange"], PALETTE["blue"], PALETTE["purple"])
GREY = "#999999"
LIGHT = "#D9D9D9"

# Font sizes in points: nothing smaller than 8 so labels stay readable at 100 dpi.
FONT = {"small": 8, "normal": 9, "title": 11}


def _mask_rgba(mask: np.ndarray, alpha: float) -> np.ndarray:
    """(H, W) class ids -> (H, W, 4) RGBA, class colours at ``alpha``, background clear."""
    from matplotlib.colors import to_rgba

    table = np.array([to_rgba(c, alpha) for c in CLASS_COLOURS])
    table[0, 3] = 0.0
    return table[np.clip(mask, 0, len(CLASS_COLOURS) - 1)]


def _tint(colour: str, amount: float) -> tuple[float, float, float, float]:
    """``colour`` mixed with white: amount 1 is the colour, 0 is white (opaque RGBA)."""
    from matplotlib.colors import to_rgb

    r, g, b = (1 - amount + amount * v for v in to_rgb(colour))
    return r, g, b, 1.0


def _figure(figsize: tuple[float, float], **subplots: Any) -> Figure:
    """A figure outside pyplot (a notebook shows the returned figure once, not twice)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=100, **subplots)
    FigureCanvasAgg(fig)
    return fig


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax`` itself, or the single axes of a new figure of ``figsize`` inches."""
    if ax is not None:
        return ax
    return _figure(figsize).add_subplot()


def _place(where: Figure | Axes | None, figsize: tuple[float, float],
           margins: dict[str, float]) -> Axes:
    """The axes a view draws in: ``where`` itself if it is an axes, a new axes filling the
    figure ``where``, or the axes of a new figure of ``figsize`` inches laid out by ``margins``."""
    from matplotlib.axes import Axes

    if isinstance(where, Axes):
        return where
    if where is None:
        where = _figure(figsize)
        where.subplots_adjust(**margins)
    return where.add_subplot()


def _view_on(ax: Axes | None, cls: type) -> Any:
    """The ``cls`` view already drawing in ``ax`` (so a second call redraws in place), or a
    new one: on ``ax``, or on a new figure when ``ax`` is None."""
    view = getattr(ax, "_cnnlab_view", None)
    if not isinstance(view, cls) or not view.alive:  # none yet, another kind, or ax was cleared
        view = cls(ax)
        view.ax._cnnlab_view = view
    return view


def _bare(ax: Axes) -> None:
    """No ticks and no frame, but keep the axis labels (they explain the picture)."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


class _Key:
    """A legend that never lays itself out again: fixed slots, each a marker swatch and
    a label, placed at point offsets from an anchor in axes coordinates.

    Matplotlib's Legend measures every entry on every draw (about 6 ms); a live
    view redraws many times, so it shows its key in these slots instead.
    """

    CHAR = 5.0  # points per character of an 8-point label, a little more than the average

    def __init__(self, ax: Axes, slots: int, anchor: tuple[float, float],
                 vertical: bool) -> None:
        from matplotlib.lines import Line2D

        self.ax, self.anchor, self.vertical, self.entries = ax, anchor, vertical, None
        self.swatches = [ax.add_line(Line2D([anchor[0]], [anchor[1]], clip_on=False,
                                            visible=False)) for _ in range(slots)]
        self.labels = [ax.text(*anchor, "", va="center", fontsize=FONT["small"],
                               visible=False, gid="key") for _ in range(slots)]

    def show(self, entries: list[tuple[str, dict]]) -> None:
        """Fill the first slots with (label, Line2D style) entries and hide the rest."""
        from matplotlib.transforms import offset_copy

        if entries == self.entries:
            return
        x = 0.0
        for i, (swatch, label) in enumerate(zip(self.swatches, self.labels)):
            shown = i < len(entries)
            swatch.set_visible(shown)
            label.set_visible(shown)
            if not shown:
                continue
            text, style = entries[i]
            dx, dy = (0.0, -14.0 * i) if self.vertical else (x, 0.0)
            x += 24 + self.CHAR * len(text)
            for artist, shift in ((swatch, 0), (label, 9)):
                artist.set_transform(offset_copy(self.ax.transAxes, self.ax.figure,
                                                 x=dx + shift, y=dy, units="points"))
            label.set_text(text)
            swatch.set(**{"ls": "", "marker": "s", "ms": 10, "mew": 1.0, **style})
        self.entries = entries


def _swatch(face: str, edge: str = PALETTE["black"], **style: Any) -> dict:
    """A key swatch: a filled square (face "none" for an outline)."""
    return {"mfc": face, "mec": edge, **style}
