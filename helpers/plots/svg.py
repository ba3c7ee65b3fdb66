"""The SVG primitives every live picture is built from: a crisp drawing in well under a ms.

An SVG string is resolution-independent (sharp on high-DPI screens) and cheap to
rebuild on every slider tick. Each picture returns an `SvgPicture`, which Jupyter
displays inline and which keeps the numbers it drew for tests and exercises.

>>> pic = SvgPicture(svg_document(20, 10, [svg_rect(0, 0, 5, 5, "#EEE")], "one cell"), "one cell")
>>> str(pic), pic.svg.count("<rect")
('one cell', 1)
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .style import FONT_FAMILY, readable

BACKGROUND = "#FFFFFF"  # every picture's own background, whatever the theme

__all__ = ["SvgPicture", "svg_document", "svg_line", "svg_rect", "svg_text"]


@dataclass(frozen=True)
class SvgPicture:
    """An SVG drawing plus the numbers it shows (for tests, checks and alt text).

    >>> SvgPicture("<svg/>", "a title", output=3).output
    3
    """

    svg: str
    title: str
    output: int | tuple | None = None
    dropped: int = 0
    data: dict = field(default_factory=dict, hash=False)

    def _repr_svg_(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.title

    __repr__ = __str__  # plain consoles show the title, not the fields


def svg_document(width: float, height: float, body: list[str], title: str) -> str:
    """An <svg> element of the given size around `body`, titled for screen readers.

    It sits on a background of its own (the pictures draw dark text and light cells), so
    it reads the same in JupyterLab's light, dark and high-contrast themes.

    >>> svg_document(10, 10, [], "empty").startswith("<svg")
    True
    """
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{html.escape(title)}" '
            f'style="background:{BACKGROUND};border-radius:4px">'
            f"<title>{html.escape(title)}</title>{''.join(body)}</svg>")


def svg_rect(x: float, y: float, w: float, h: float, fill: str, stroke: str = "#FFFFFF",
             width: float = 1.0, extra: str = "") -> str:
    """One <rect>, e.g. a pixel of a grid.

    >>> svg_rect(0, 0, 5, 5, "#000")[:5]
    '<rect'
    """
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{width}" {extra}/>')


def svg_line(points: list[tuple[float, float]], stroke: str, width: float = 1.0,
             dash: tuple[float, float] | None = None, opacity: float = 1.0,
             cls: str = "") -> str:
    """A <polyline> through `points`; `dash` is (on, off) in line widths, None for solid;
    `cls` names what it shows (a class attribute, for tests and style sheets).

    >>> svg_line([(0, 0), (4, 2)], "#000", 2, dash=(3, 1))[-40:]
    'stroke-dasharray="6.0,2.0" opacity="1"/>'
    """
    dashes = f' stroke-dasharray="{dash[0] * width:.1f},{dash[1] * width:.1f}"' if dash else ""
    named = f' class="{cls}"' if cls else ""
    return (f'<polyline{named} points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" '
            f'fill="none" stroke="{stroke}" stroke-width="{width}"{dashes} '
            f'opacity="{opacity:g}"/>')


def svg_text(x: float, y: float, text: str, size: int = 12, anchor: str = "start",
             fill: str = "#000000", weight: str = "normal", cls: str = "",
             rotate: float = 0, on: str = BACKGROUND) -> str:
    """One <text> label in the project's font, escaped; `cls` names what it shows, `rotate`
    turns it by that many degrees (clockwise) about (x, y). Its colour is made readable
    (WCAG AA, 4.5:1) against `on`, what is behind it: the picture's background, or the
    cell it is written on.

    >>> svg_text(0, 0, "a<b")[-13:]
    'a&lt;b</text>'
    """
    named = f' class="{cls}"' if cls else ""
    named += f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"' if rotate else ""
    return (f'<text{named} x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{readable(fill, on)}" font-weight="{weight}" font-family="{FONT_FAMILY}">'
            f"{html.escape(text)}</text>")
