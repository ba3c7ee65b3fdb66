"""The principle drawn: which target pixel the loss compares each output pixel with.

One panel per `shapes.Correspondence`: the target's pixels on top (those a crop removes
greyed), the compared output pixels below, each under the target pixel the loss gives
it, and a line from each up to where its window is really centred. Vertical lines:
output and target correspond. Slanted lines that spread across the image: they do
not, whatever the sizes say.

>>> from helpers.shapes import Conv2D, correspondence
>>> pic = correspondence_svg([("crop", correspondence([Conv2D(1, 3)], 8, crop_target=True))])
>>> pic.data["holds"]
[True]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .style import GREY, LIGHT, OK, PALETTE, WARN
from .svg import SvgPicture, svg_document, svg_line, svg_rect, svg_text

__all__ = ["correspondence_svg"]

COMPARED = PALETTE["sky"]
GAP = 30.0  # between the target row and the output row
WINDOWS = 16.0  # room above the target row for the windows' brackets
PICKED = (PALETTE["black"], PALETTE["blue"], PALETTE["purple"])  # the bracketed output pixels


def _windows(c: Any, ty: float, cell: float, x0: float) -> list[str]:
    """Brackets over the target row: the windows (receptive fields) of the first, middle and
    last compared output pixels, in the colours their output cells are outlined with."""
    picks = sorted({0, len(c.centres) // 2, len(c.centres) - 1})
    body = []
    for k, i in enumerate(picks):
        first, last = c.reach[i]
        left = x0 + max(first, 0) * cell  # a window over the padding stops at the edge
        right = x0 + (min(last, c.n - 1) + 1) * cell
        yy = ty - 5 - 5 * k
        body.append(svg_line([(left, yy + 3), (left, yy), (right, yy), (right, yy + 3)],
                             PICKED[k], 2.0, cls="window"))
    return body


def _panel(label: str, c: Any, y: float, cell: float, x0: float,
           windows: bool = False) -> list[str]:
    """One panel: label, target row, output row, and a line per compared pair."""
    def x(coordinate: float) -> float:  # the centre of an input coordinate, in px
        return x0 + (coordinate + 0.5) * cell
    mark = "✓ corresponds" if c.holds else "✗ does not correspond"
    body = [svg_text(x0, y + 12, label, 13, weight="bold"),
            svg_text(x0, y + 28, f"{mark}: worst offset {c.worst:g} px ({c.how})", 12,
                     "start", OK if c.holds else WARN, cls="verdict")]
    ty = y + 36 + (WINDOWS if windows else 0)
    oy = ty + cell + GAP
    picks = sorted({0, len(c.centres) // 2, len(c.centres) - 1}) if windows else []
    w = _width(c)
    compared = {round(t - (w - 1) / 2) + k for t in c.targets for k in range(w)}
    for i in range(c.n):
        kind = "compared" if i in compared else "unused"
        body.append(svg_rect(x0 + i * cell, ty, cell, cell, COMPARED if i in compared else LIGHT,
                             "#FFFFFF", 1.0, f'class="target {kind}"'))
    if windows:
        body += _windows(c, ty, cell, x0)
    for i, (centre, target) in enumerate(zip(c.centres, c.targets)):
        ok = abs(centre - target) <= c.tolerance
        edge = PICKED[picks.index(i)] if i in picks else "#FFFFFF"
        body.append(svg_rect(x(target) - w * cell / 2 + 1, oy, w * cell - 2, cell,
                             PALETTE["orange"], edge, 2.5 if i in picks else 1.0,
                             'class="output"'))
        seen = min(max(x(centre), x0), x0 + c.n * cell)  # where its window is centred
        body.append(svg_line([(x(target), oy), (seen, ty + cell)],
                             OK if ok else WARN, 1.6, None if ok else (3, 1.5),
                             cls="pair " + ("aligned" if ok else "misaligned")))
    body.append(svg_text(x0 - 6, ty + cell * 0.75, "target", 11, "end", GREY))
    body.append(svg_text(x0 - 6, oy + cell * 0.75, "output", 11, "end", GREY))
    return body


def _width(c: Any) -> int:
    """Target pixels one compared output pixel stands for (a pooled target's group)."""
    return max(1, round(c.targets[1] - c.targets[0])) if len(c.targets) > 1 else 1


def correspondence_svg(panels: Sequence[tuple[str, Any]], width: int = 640,
                       windows: bool = False) -> SvgPicture:
    """One panel per (label, shapes.Correspondence), stacked: the principle, drawn.

    Each compared output pixel sits under the target pixel the loss compares it with; a
    solid green line goes up to where its window is centred when they correspond, a dashed
    vermillion one when they do not. `windows` also brackets the input pixels that the
    first, middle and last output pixels read (their receptive fields).

    >>> from helpers.shapes import Conv2D, correspondence
    >>> c = correspondence([Conv2D(1, 3, strides=2, padding="same")], 8, pool_target=2)
    >>> correspondence_svg([("pooled", c)], windows=True).svg.count('class="window"')
    3
    """
    panels = list(panels)
    n = max(c.n for _, c in panels)
    x0 = 56.0
    extra = WINDOWS if windows else 0
    cell = max(8.0, min(28.0, (width - x0 - 12) / n))
    body: list[str] = []
    for k, (label, c) in enumerate(panels):
        body += _panel(label, c, 4 + k * (2 * cell + GAP + 50 + extra), cell, x0, windows)
    height = len(panels) * (2 * cell + GAP + 50 + extra) - 6
    holds = [c.holds for _, c in panels]
    title = "; ".join(f"{label}: {'corresponds' if ok else 'does not correspond'}"
                      for (label, _), ok in zip(panels, holds))
    doc = svg_document(max(width, x0 + n * cell + 12), height, body, title)
    return SvgPicture(doc, title, data={"holds": holds,
                                        "worst": [c.worst for _, c in panels]})
