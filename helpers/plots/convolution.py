"""The convolution picture: where a Conv2D's windows land on the input, and what they miss.

The geometry is `shapes.conv_windows`; this module only draws it, as SVG (the
conv explorer redraws it on every slider tick; notebooks show it as it is).

>>> pic = conv_svg(7, 3, stride=2)
>>> pic.output, pic.dropped, pic.data["formula"]
(3, 0, 'floor((7 - 3) / 2) + 1 = 3')
"""

from __future__ import annotations

from helpers.shapes import Conv2D, conv_windows

from .style import GREY, LIGHT, MARKS, PALETTE, WARN
from .svg import SvgPicture, svg_document, svg_rect, svg_text

__all__ = ["conv_svg"]

# Fill and border of each kind of input cell (see shapes.geometry.CELL_STATES).
CELLS = {"input": (LIGHT, "#FFFFFF"), "padding": ("#FFFFFF", GREY),
         "dropped": ("#FBE3D6", "#FFFFFF"), "skipped": ("#FBF6C8", "#FFFFFF")}


def _hatch(x: float, y: float, size: float) -> str:
    """Two diagonal strokes across one cell (a dropped pixel)."""
    strokes = [(x, y + size / 2, x + size / 2, y), (x, y + size, x + size, y),
               (x + size / 2, y + size, x + size, y + size / 2)]
    return "".join(f'<line x1="{a:.1f}" y1="{b:.1f}" x2="{c:.1f}" y2="{d:.1f}" stroke="{WARN}" '
                   f'stroke-width="1" class="hatch"/>' for a, b, c, d in strokes)


def conv_svg(n: int, kernel: int, stride: int = 1, padding: str = "valid",
             dilation: int = 1, width: int = 560) -> SvgPicture:
    """The input grid (padding dashed, windows outlined, unread pixels tinted) beside the output.

    The windows of the first, second and last output pixels are outlined in the
    colours of those output cells, with a dot on each tap; pixels floor() drops
    are tinted vermillion and hatched, pixels skipped between dilated taps yellow. Raises
    ShapeError for a layer Keras refuses.

    >>> conv_svg(6, 2, stride=1, padding="same").data["pad"]
    (0, 1)
    """
    w = conv_windows(n, kernel, stride, padding, dilation)  # ShapeError with its message
    out, pad, total = w.out, w.pad, w.size
    cell = max(6.0, min(26.0, (width - 60) * 0.62 / total))
    ocell = max(6.0, min(26.0, cell, (width - 60) * 0.3 / out))
    x0, y0 = 10.0, 56.0
    body = []
    for i in range(total):
        for j in range(total):
            state = w.state(i, j)
            fill, stroke = CELLS[state]
            body.append(svg_rect(x0 + j * cell, y0 + i * cell, cell, cell, fill, stroke,
                                 0.8 if state == "padding" else 1.0,
                                 f'class="cell {state}"'
                                 + (' stroke-dasharray="2,2"' if state == "padding" else "")))
            if state == "dropped":  # hatched as well as tinted: colour is not the only mark
                body.append(_hatch(x0 + j * cell, y0 + i * cell, cell))
    for colour, (r, c) in zip(MARKS, w.marks):
        top, left = r * stride, c * stride
        body.append(svg_rect(x0 + left * cell + 1.5, y0 + top * cell + 1.5, w.span * cell - 3,
                             w.span * cell - 3, "none", colour, 2.5, 'class="window"'))
        for a, b in w.taps(r, c):  # the taps a dilated kernel really reads
            body.append(f'<circle cx="{x0 + (b + 0.5) * cell:.1f}" '
                        f'cy="{y0 + (a + 0.5) * cell:.1f}" r="{max(1.5, cell / 7):.1f}" '
                        f'fill="{colour}" class="tap"/>')
    ox = x0 + total * cell + 50
    for i in range(out):
        for j in range(out):
            k = w.marks.index((i, j)) if (i, j) in w.marks else -1
            body.append(svg_rect(ox + j * ocell, y0 + i * ocell, ocell, ocell,
                                 MARKS[k] if k >= 0 else LIGHT, "#FFFFFF", 0.8, 'class="out"'))
    arrow_y = y0 + min(total * cell, out * ocell) / 2
    body.append(svg_text(ox - 28, arrow_y + 5, "→", 18, "middle", GREY))
    formula = Conv2D(1, kernel, strides=stride, padding=padding,
                     dilation_rate=dilation).formula((n, n, 1))
    if dilation > 1:
        formula = f"ke = {dilation} * ({kernel} - 1) + 1 = {w.span}; " + formula
    body.append(svg_text(x0, 16, formula, 12, fill="#333333", cls="formula"))
    body.append(svg_text(x0, 40, f"input {n}x{n}" + (f" + padding {pad[0]}/{pad[1]}"
                                                      if sum(pad) else ""), 12, weight="bold"))
    body.append(svg_text(ox, 40, f"output {out}x{out}", 12, weight="bold"))
    notes = []
    if sum(pad):
        notes.append((f"\"same\" pads {pad[0]} before (top/left) and {pad[1]} after "
                      "(bottom/right)", "#333333"))
    if w.dropped:
        notes.append((f"hatched: {w.dropped} row(s)/column(s) at the bottom/right are never "
                      "covered, floor() drops them", WARN))
    if "skipped" in w.states:
        notes.append((f"yellow: pixels between the taps of dilation {dilation}",
                      PALETTE["black"]))
    height = y0 + max(total * cell, out * ocell) + 12 + 16 * len(notes)
    for k, (note, colour) in enumerate(notes):
        body.append(svg_text(x0, height - 6 - 16 * (len(notes) - 1 - k), note, 11, fill=colour))
    title = (f"Conv2D: {n} pixels, kernel {kernel}, stride {stride}, {padding}, dilation "
             f"{dilation} -> {out}")
    return SvgPicture(svg_document(max(width, ox + out * ocell + 10), height, body, title),
                      title, out, w.dropped,
                      {"pad": pad, "marks": list(w.marks), "states": w.states,
                       "unread": w.unread(), "formula": formula})
