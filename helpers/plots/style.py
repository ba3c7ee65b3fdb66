"""The look shared by every picture, SVG and matplotlib: colours, fonts, line styles, errors.

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

__all__ = ["readable", "contrast", "CLASS_COLOURS", "FONT", "FONT_FAMILY", "GREY", "LIGHT",
           "LOSS_LINES", "MARKS", "OK", "PALETTE", "PlotError", "RUNNING", "SERIES", "WARN"]

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
GREY = "#999999"  # reference lines, padding outlines, secondary labels
LIGHT = "#E6E6E6"  # cells of no special kind
WARN, OK = PALETTE["vermillion"], PALETTE["green"]  # wrong size / uneven; right size / even



def _rgb(colour: str) -> list[int] | None:
    """[r, g, b] of '#RRGGBB', '#RGB' or 'rgb(r, g, b)'; None for anything else."""
    c = colour.strip()
    if c.startswith("rgb(") and c.endswith(")"):
        parts = c[4:-1].split(",")
        return [int(float(p)) for p in parts] if len(parts) == 3 else None
    c = c.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    try:
        return [int(c[i:i + 2], 16) for i in (0, 2, 4)] if len(c) == 6 else None
    except ValueError:
        return None


def _luminance(rgb: list[int]) -> float:
    """WCAG 2 relative luminance of [r, g, b] in 0..255."""
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
               for c in (v / 255 for v in rgb))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two '#RRGGBB' colours (1 to 21).

    >>> round(contrast("#000000", "#FFFFFF"), 1)
    21.0
    """
    pair = [_rgb(a), _rgb(b)]
    if None in pair:
        raise PlotError(f"contrast({a!r}, {b!r}): give colours as '#RRGGBB'.")
    hi, lo = sorted((_luminance(pair[0]), _luminance(pair[1])), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable(colour: str, on: str = "#FFFFFF", ratio: float = 4.5) -> str:
    """`colour`, darkened (on a light background) or lightened (on a dark one) just
    enough to reach `ratio` against `on` (WCAG AA for text is 4.5): the palette's hue for
    text, at a contrast every reader can read.

    >>> readable("#D55E00")                      # the vermillion as text on white
    '#C25600'
    >>> readable("#000000")                      # already readable: unchanged
    '#000000'
    """
    rgb, behind = _rgb(colour), _rgb(on)
    if rgb is None or behind is None or contrast(colour, on) >= ratio:
        return colour  # a colour it cannot read ("none", "currentColor") is left as it is
    target = "#000000" if _luminance(behind) > 0.18 else "#FFFFFF"
    end = [0, 0, 0] if target == "#000000" else [255, 255, 255]
    for step in range(1, 101):
        mixed = "#" + "".join(f"{round(c + (e - c) * step / 100):02X}" for c, e in zip(rgb, end))
        if contrast(mixed, on) >= ratio:
            return mixed
    return target


# Font sizes in points: nothing smaller than 8 so labels stay readable at 100 dpi.
FONT = {"small": 8, "normal": 9, "title": 11}
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"  # matplotlib's default font first

# Loss curves, live (SVG) and static (matplotlib) alike: one colour per run (SERIES),
# key -> (label, dash pattern in line widths; None is solid). The best epoch is a star.
LOSS_LINES = {"loss": ("training", None), "val_loss": ("validation", (3.0, 1.6))}
RUNNING = ("running loss", 0.45)  # label and opacity of the per-step loss (live only)


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
