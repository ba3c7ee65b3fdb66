"""Draw a figure's text from a cache of rendered labels: what makes live redraws fast.

Matplotlib 3.11's Agg backend shapes and renders every label glyph by glyph on
every draw: about 1.7 ms for a 16-character label on the project machine,
against 10 µs to paste the same pixels as an image. A live diagram redraws the
same few dozen labels ("38x38x16", "conv2d", the legend) over and over, so
`cache_text(fig)` renders each distinct label once per colour, size and angle
and pastes it afterwards. Only Agg drawing (the screen, PNG) uses the cache;
PDF and SVG draw text as usual. A label lands within half a pixel of where
matplotlib would put it.

>>> from helpers.plots.style import _figure
>>> fig = cache_text(_figure((2, 1)))
>>> _ = fig.text(0.1, 0.5, "38x38x16"); fig.canvas.draw(); fig.canvas.draw()
>>> fig._text_cache.hits, len(fig._text_cache)
(1, 1)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["cache_text"]

MAX_LABELS = 2048  # distinct (label, font, colour, angle) renderings kept per figure


class _TextCache(dict):
    """(label, font, colour, angle, dpi) -> (RGBA pixels bottom row first, dx, dy).

    dx, dy place the pixels' bottom-left corner relative to the text anchor,
    in the y-downwards pixels that draw_text receives.
    """

    hits = 0

    def draw_text(self, renderer: Any, original: Any, gc: Any, x: float, y: float, s: str,
                  prop: Any, angle: float, ismath: Any = False, mtext: Any = None) -> None:
        special = ismath or (mtext is not None and (mtext.get_fontfeatures() is not None
                                                    or mtext.get_language() is not None))
        if special or not s.strip():
            return original(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        key = (s, prop, angle, renderer.dpi, gc.get_rgb(), gc.get_alpha(),
               gc.get_antialiased(), gc.get_forced_alpha())
        entry = self.get(key)
        if entry is None:
            if len(self) >= MAX_LABELS:
                self.clear()
            entry = _render(renderer, gc, s, prop, angle)
            self[(s, prop.copy(), *key[2:])] = entry  # a copy: Text may change its font later
        else:
            self.hits += 1
        pixels, dx, dy = entry
        if pixels is not None:  # x, y arrive with y downwards; draw_image wants it upwards
            renderer.draw_image(gc, round(x) + dx, renderer.height - round(y) - dy, pixels)


def _box(w: float, h: float, d: float, angle: float) -> tuple[int, int, int, int]:
    """(left, top, width, height) of a scratch canvas holding a w x h label (descent d)
    rotated by angle about its anchor; left and top are relative to the anchor, y up."""
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    corners = [(x * cos - y * sin, x * sin + y * cos) for x in (0, w) for y in (-d, h - d)]
    left = math.floor(min(x for x, _ in corners)) - 4
    top = math.ceil(max(y for _, y in corners)) + 4
    width = math.ceil(max(x for x, _ in corners)) + 4 - left
    return left, top, width, top - math.floor(min(y for _, y in corners)) + 4


def _render(renderer: Any, gc: Any, s: str, prop: Any, angle: float) -> tuple:
    """The label drawn alone on a scratch canvas, cropped to its ink."""
    from matplotlib.backends.backend_agg import RendererAgg

    # First a box sure to hold any ordinary label without measuring it (measuring costs
    # a text layout): glyphs of text fonts are narrower than 1.2 em, lines under 1.5 em.
    # If the ink reaches the border anyway (an unusual glyph), measure and draw again.
    em = prop.get_size_in_points() * renderer.dpi / 72
    for w, h, d in ((1.2 * em * len(s), 1.5 * em, 0.5 * em),
                    renderer.get_text_width_height_descent(s, prop, False)):
        left, top, width, height = _box(w, h, d, angle)
        scratch = RendererAgg(width, height, renderer.dpi)
        ink = scratch.new_gc()
        ink.set_foreground(gc.get_rgb(), isRGBA=True)
        ink.set_alpha(gc.get_alpha())
        ink.set_antialiased(gc.get_antialiased())
        scratch.draw_text(ink, -left, top, s, prop, angle)  # the anchor, y downwards
        rgba = np.asarray(scratch.buffer_rgba())
        rows, cols = np.nonzero(rgba[..., 3])
        if len(rows) == 0:
            return None, 0, 0
        r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
        if r0 > 0 and c0 > 0 and r1 < height and c1 < width:
            break
    # Buffer row 0 is the top; draw_image draws row 0 at the bottom.
    return rgba[r0:r1, c0:c1][::-1].copy(), int(c0 + left), int(r1 - top)


def cache_text(fig: Figure) -> Figure:
    """The same figure, its Agg drawing now taking text from a per-figure label cache.

    Calling it twice is harmless. The cache lives on ``fig._text_cache``.

    >>> from helpers.plots.style import _figure
    >>> fig = cache_text(_figure((2, 1)))
    >>> cache_text(fig) is fig
    True
    """
    from matplotlib.backends.backend_agg import RendererAgg

    if getattr(fig, "_text_cache", None) is not None:
        return fig
    cache = fig._text_cache = _TextCache()
    draw_figure = fig.draw

    def draw(renderer: Any) -> None:
        if not isinstance(renderer, RendererAgg):
            return draw_figure(renderer)
        # matplotlib may already have replaced draw_text on this renderer (a no-op while
        # bbox_inches="tight" measures the figure): put back exactly what was there.
        before = renderer.__dict__.get("draw_text")
        original = renderer.draw_text
        renderer.draw_text = lambda *a, **k: cache.draw_text(renderer, original, *a, **k)
        try:
            return draw_figure(renderer)
        finally:
            if before is None:
                del renderer.draw_text
            else:
                renderer.draw_text = before

    fig.draw = draw
    return fig
