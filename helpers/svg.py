"""Crisp SVG drawings for live widgets: built in well under a millisecond.

The matplotlib figures in `helpers.plots` are for static pictures; a widget
that redraws on every slider tick uses these instead (an SVG string is
resolution-independent, so it stays sharp on high-DPI screens). Each function
returns an `SvgPicture`, which Jupyter displays inline and which keeps the
numbers it drew for tests and exercises.

>>> pic = conv_svg(7, 3, stride=2)
>>> pic.output, pic.dropped
(3, 0)
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

from helpers.plots.style import PALETTE
from helpers.plots.transposed import overlap_counts
from helpers.shapes import ShapeError, TraceRow, conv_out, dilated, dropped_pixels, same_padding

__all__ = ["SvgPicture", "conv_svg", "overlap_svg", "size_svg", "loss_svg", "svg_document",
           "svg_rect", "svg_text"]

MARKS = (PALETTE["orange"], PALETTE["blue"], PALETTE["purple"])
GREY, LIGHT, WARN, OK = "#999999", "#E6E6E6", PALETTE["vermillion"], PALETTE["green"]
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


@dataclass(frozen=True)
class SvgPicture:
    """An SVG drawing plus the numbers it shows (for tests, checks and alt text)."""

    svg: str
    title: str
    output: int | tuple | None = None
    dropped: int = 0
    data: dict = field(default_factory=dict, hash=False)

    def _repr_svg_(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.title

    __repr__ = __str__  # plain consoles show the table, not the fields


def svg_document(width: float, height: float, body: list[str], title: str) -> str:
    """An <svg> element of the given size around `body`, titled for screen readers.

    >>> svg_document(10, 10, [], "empty").startswith("<svg")
    True
    """
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{html.escape(title)}">'
            f"<title>{html.escape(title)}</title>{''.join(body)}</svg>")


def svg_rect(x: float, y: float, w: float, h: float, fill: str, stroke: str = "#FFFFFF",
             width: float = 1.0, extra: str = "") -> str:
    """One <rect>, e.g. a pixel of a grid.

    >>> svg_rect(0, 0, 5, 5, "#000")[:5]
    '<rect'
    """
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{width}" {extra}/>')


def svg_text(x: float, y: float, text: str, size: int = 12, anchor: str = "start",
             fill: str = "#000000", weight: str = "normal") -> str:
    """One <text> label in the project's font, escaped.

    >>> svg_text(0, 0, "a<b")[-13:]
    'a&lt;b</text>'
    """
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}" font-weight="{weight}" {FONT}>{html.escape(text)}</text>')


def conv_svg(n: int, kernel: int, stride: int = 1, padding: str = "valid",
             dilation: int = 1, width: int = 560) -> SvgPicture:
    """The input grid (padding shaded, windows outlined, dropped pixels in red) beside the output.

    >>> conv_svg(6, 2, stride=1, padding="same").data["pad"]
    (0, 1)
    """
    out = conv_out(n, kernel, stride, padding, dilation)  # ShapeError with its message
    same = padding.lower() == "same"
    pad = same_padding(n, kernel, stride, dilation) if same else (0, 0)
    dropped = 0 if same else dropped_pixels(n, kernel, stride, dilation)
    total = n + pad[0] + pad[1]
    cell = max(6.0, min(26.0, (width - 60) * 0.62 / total))
    ocell = max(6.0, min(26.0, cell, (width - 60) * 0.3 / out))
    x0, y0 = 10.0, 40.0
    body = []
    for i in range(total):
        for j in range(total):
            inside = pad[0] <= i < pad[0] + n and pad[0] <= j < pad[0] + n
            drop = inside and (i >= pad[0] + n - dropped or j >= pad[0] + n - dropped)
            fill = "#FBE3D6" if drop else (LIGHT if inside else "#FFFFFF")
            extra = '' if inside else 'stroke-dasharray="2,2"'
            body.append(svg_rect(x0 + j * cell, y0 + i * cell, cell, cell, fill,
                              "#FFFFFF" if inside else GREY, 1.0 if inside else 0.8, extra))
    marks = [(0, 0)] + ([(0, 1)] if out > 1 else []) + ([(out - 1, out - 1)] if out > 2 else [])
    ke = dilated(kernel, dilation)
    for colour, (r, c) in zip(MARKS, marks):
        top, left = r * stride, c * stride
        body.append(svg_rect(x0 + left * cell + 1.5, y0 + top * cell + 1.5, ke * cell - 3,
                          ke * cell - 3, "none", colour, 2.5))
        for a in range(kernel):  # the taps a dilated kernel really reads
            for b in range(kernel):
                cx = x0 + (left + b * dilation + 0.5) * cell
                cy = y0 + (top + a * dilation + 0.5) * cell
                body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{max(1.5, cell / 7):.1f}" '
                            f'fill="{colour}"/>')
    ox = x0 + total * cell + 50
    for i in range(out):
        for j in range(out):
            k = marks.index((i, j)) if (i, j) in marks else -1
            fill = MARKS[k] if k >= 0 else LIGHT
            body.append(svg_rect(ox + j * ocell, y0 + i * ocell, ocell, ocell, fill, "#FFFFFF",
                                 0.8))
    arrow_y = y0 + min(total * cell, out * ocell) / 2
    body.append(svg_text(ox - 28, arrow_y + 5, "→", 18, "middle", GREY))
    body.append(svg_text(x0, 16, f"input {n}x{n}"
                         + (f" + padding {pad[0]}/{pad[1]}" if same else ""),
                      12, weight="bold"))
    body.append(svg_text(ox, 16, f"output {out}x{out}", 12, weight="bold"))
    notes = []
    if same:
        notes.append(f"\"same\" pads {pad[0]} before (top/left) and {pad[1]} after (bottom/right)")
    if dropped:
        notes.append(f"{dropped} row(s)/column(s) at the bottom/right are never covered: "
                     "floor() drops them")
    height = y0 + max(total * cell, out * ocell) + 12 + 16 * len(notes)
    for k, note in enumerate(notes):
        body.append(svg_text(x0, height - 6 - 16 * (len(notes) - 1 - k), note, 11,
                          fill=WARN if "drops" in note else "#333333"))
    title = f"Conv2D: {n} pixels, kernel {kernel}, stride {stride}, {padding}, dilation " \
            f"{dilation} -> {out}"
    return SvgPicture(svg_document(max(width, ox + out * ocell + 10), height, body, title),
                      title, out,
                      dropped, {"pad": pad, "marks": marks})


def overlap_svg(kernel: int, stride: int, n: int = 4, width: int = 380) -> SvgPicture:
    """The 2-D overlap map of a transposed conv: uneven counts are checkerboard artifacts.

    >>> overlap_svg(4, 2).data["even"]
    True
    """
    if kernel < 1 or stride < 1:
        raise ShapeError(f"kernel={kernel}, stride={stride}: both must be at least 1.")
    grid = overlap_counts(n, kernel, stride).tolist()  # (H, W) contributions per pixel
    size = len(grid)
    inner = [v for row in grid[kernel - 1: size - kernel + 1]
             for v in row[kernel - 1: size - kernel + 1]] or [v for row in grid for v in row]
    even = len(set(inner)) == 1
    cell = max(8.0, min(28.0, (width - 20) / size))
    top = max(max(row) for row in grid)
    body = []
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            shade = int(235 - 185 * v / top)
            colour = f"rgb({shade},{shade + 10 if shade < 245 else 255},{min(255, shade + 20)})"
            body.append(svg_rect(10 + j * cell, 45 + i * cell, cell, cell, colour, "#FFFFFF", 0.6))
            if cell >= 14:
                body.append(svg_text(10 + (j + 0.5) * cell, 45 + (i + 0.5) * cell + 4, str(v), 10,
                                  "middle", "#FFFFFF" if shade < 140 else "#000000"))
    verdict = "even overlap: no checkerboard" if even else \
        f"kernel {kernel} not divisible by stride {stride}: uneven overlap -> checkerboard"
    for k, part in enumerate(verdict.split(": ")):
        body.append(svg_text(10, 16 + 15 * k, part + (":" if k == 0 else ""), 12,
                          fill=OK if even else WARN, weight="bold"))
    title = f"overlap of a {kernel}x{kernel} transposed conv, stride {stride}: {verdict}"
    return SvgPicture(svg_document(max(width, 20 + size * cell), 55 + size * cell, body, title),
                      title,
                      size, 0, {"counts": grid, "even": even})


def size_svg(rows: Sequence[TraceRow], input_hw: tuple, target_hw: tuple | None = None,
             width: int = 640, height: int = 220) -> SvgPicture:
    """Blocks whose height is the spatial size, layer by layer, against the target line."""
    target = tuple(target_hw or input_hw)[:2]
    sizes = [tuple(input_hw)[:2]] + [r.spatial_out or (1, 1) for r in rows]
    labels = ["input"] + [r.name for r in rows]
    top = max(max(s) for s in sizes + [target])
    step = (width - 70) / len(sizes)  # the right 60 px hold the target's label
    scale = (height - 70) / top
    base = height - 30
    body = []
    ty = base - target[0] * scale
    body.append(f'<line x1="5" x2="{width - 5}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{GREY}" '
                'stroke-dasharray="5,3"/>')
    body.append(svg_text(width - 6, ty - 4, "target", 10, "end", GREY))
    body.append(svg_text(width - 6, ty + 12, f"{target[0]}x{target[1]}", 10, "end", GREY))
    for k, (hw, label) in enumerate(zip(sizes, labels)):
        changed = k > 0 and rows[k - 1].changed
        last = k == len(sizes) - 1
        colour = (WARN if hw != target else OK) if last and k > 0 else \
            (PALETTE["blue"] if changed else PALETTE["sky"])
        h = max(2.0, hw[0] * scale)
        x = 10 + k * step
        body.append(svg_rect(x + 3, base - h, step - 6, h, colour, "#FFFFFF", 0))
        body.append(svg_text(x + step / 2, base - h - 4, f"{hw[0]}x{hw[1]}", 10, "middle"))
        short = label if len(label) <= 13 else label[:12] + "…"
        body.append(svg_text(x + step / 2, base + 14, short, 9, "middle", "#333333"))
    out = sizes[-1]
    if out != target:
        diff = f"output {out[0]}x{out[1]} vs target {target[0]}x{target[1]}: " + ", ".join(
            f"{abs(t - o)} px {'short' if o < t else 'too many'} in {axis}"
            for o, t, axis in zip(out, target, ("H", "W")) if o != t)
        body.append(svg_text(10, 16, diff, 12, fill=WARN, weight="bold"))
    else:
        body.append(svg_text(10, 16, f"output {out[0]}x{out[1]} matches the target", 12, fill=OK,
                          weight="bold"))
    title = f"sizes layer by layer, output {out[0]}x{out[1]}, target {target[0]}x{target[1]}"
    return SvgPicture(svg_document(width, height, body, title), title, out, 0, {"sizes": sizes})


def loss_svg(history: dict, width: int = 420, height: int = 180) -> SvgPicture:
    """Training (and validation) loss per epoch as an SVG line chart, best epoch marked.

    >>> loss_svg({"loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.7, 0.8]}).data["best"]
    1
    """
    series = {k: [float(v) for v in history.get(k, [])] for k in ("loss", "val_loss")}
    values = [v for s in series.values() for v in s]
    body = [f'<line x1="40" x2="{width - 10}" y1="{height - 25}" y2="{height - 25}" '
            f'stroke="{GREY}"/>']
    best = None
    if values:
        lo, hi, n = min(values), max(values), max(len(s) for s in series.values())
        span = (hi - lo) or 1.0

        def xy(i: int, v: float) -> tuple[float, float]:
            x = 40 + (width - 55) * (i / max(n - 1, 1))
            return x, 15 + (height - 45) * (1 - (v - lo) / span)

        for (key, s), colour in zip(series.items(), (PALETTE["blue"], PALETTE["orange"])):
            if not s:
                continue
            points = " ".join(f"{a:.1f},{b:.1f}" for a, b in (xy(i, v) for i, v in enumerate(s)))
            body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                        'stroke-width="2"/>')
            body.append(svg_text(width - 10, 14 + 14 * (key == "val_loss"), key, 11, "end", colour))
        watched = series["val_loss"] or series["loss"]
        best = min(range(len(watched)), key=watched.__getitem__)
        bx, by = xy(best, watched[best])
        body.append(f'<circle cx="{bx:.1f}" cy="{by:.1f}" r="5" fill="none" stroke="{WARN}" '
                    'stroke-width="2"/>')
        body.append(svg_text(40, height - 8, f"epoch 1..{n}; best epoch {best + 1}: "
                          f"{watched[best]:.4g}", 11))
        body.append(svg_text(36, 20, f"{hi:.3g}", 10, "end"))
        body.append(svg_text(36, height - 28, f"{lo:.3g}", 10, "end"))
    title = "loss per epoch" + (f", best epoch {best + 1}" if best is not None else "")
    return SvgPicture(svg_document(width, height, body, title), title, None, 0, {"best": best})
