"""The transposed-convolution picture: each input pixel's patch on the output, and the overlap.

A Conv2DTranspose paints a kernel-sized patch for every input pixel, patches
``stride`` apart; where patches overlap, output pixels add up several
contributions. When the kernel is not divisible by the stride, neighbouring
pixels get different counts: the checkerboard artifact. The numbers are
`shapes.overlap`; this module only draws them, as SVG.

>>> pic = overlap_svg(3, 2)
>>> pic.data["even"], pic.data["counts"][2][:5]
(False, [2, 2, 4, 2, 4])
"""

from __future__ import annotations

from helpers.shapes import Conv2DTranspose, overlap

from .style import GREY, LIGHT, MARKS, OK, PALETTE, WARN
from .svg import SvgPicture, svg_document, svg_rect, svg_text

__all__ = ["overlap_svg"]


def _shade(v: int, top: int) -> tuple[str, str]:
    """Fill for a count (white to blue, darker for more patches) and the colour to write on it."""
    level = int(235 - 185 * v / max(top, 1))
    return (f"rgb({level},{min(255, level + 10)},{min(255, level + 20)})",
            "#FFFFFF" if level < 140 else "#000000")


def overlap_svg(kernel: int, stride: int, n: int = 4, padding: str = "valid",
                output_padding: int | None = None, width: int = 460) -> SvgPicture:
    """The n x n input beside the output it paints: the patches of the first, second and
    last input pixels outlined, every output pixel numbered and shaded by how many patches
    cover it, the cells ``padding="same"`` crops away grey outside the framed Keras output.

    Raises ShapeError for a layer TensorFlow cannot run.

    >>> pic = overlap_svg(3, 2, n=3, padding="same")
    >>> pic.output, pic.data["crop"]
    (6, (0, 1))
    """
    o = overlap(n, kernel, stride, padding, output_padding)  # ShapeError with its message
    canvas, size, (before, _) = o.canvas, len(o.axis), o.crop
    gap = 2.5  # cells between the input and the output
    cell = max(8.0, min(28.0, (width - 20) / (n + gap + size)))
    top = max(max(row) for row in canvas)
    x0, y0 = 10.0, 64.0
    iy = y0 + (size - n) * cell / 2
    ox = x0 + (n + gap) * cell
    picks = dict(zip(o.picks, MARKS))
    body = []
    for i in range(n):
        for j in range(n):
            body.append(svg_rect(x0 + j * cell, iy + i * cell, cell, cell,
                                 picks.get((i, j), LIGHT), "#FFFFFF", 0.8))
    body.append(svg_text(x0 + (n + gap / 2) * cell, y0 + size * cell / 2 + 6, "→", 18,
                         "middle", GREY))
    kept = range(before, before + o.length)
    for i, row in enumerate(canvas):
        for j, v in enumerate(row):
            inside = i in kept and j in kept
            fill, ink = _shade(v, top) if inside else (LIGHT, GREY)
            kind = "kept" if inside else "cropped"
            body.append(svg_rect(ox + j * cell, y0 + i * cell, cell, cell, fill, "#FFFFFF", 0.6,
                                 f'class="cell {kind}"'))
            if cell >= 14:
                body.append(svg_text(ox + (j + 0.5) * cell, y0 + (i + 0.5) * cell + 4, str(v),
                                     10, "middle", ink, cls=f"count {kind}", on=fill))
    body.append(svg_rect(ox + before * cell, y0 + before * cell, o.length * cell,
                         o.length * cell, "none", PALETTE["black"], 1.6, 'class="output"'))
    for k, ((r, c), colour) in enumerate(picks.items()):
        inset = 1.5 + 2.0 * k
        body.append(svg_rect(ox + c * stride * cell + inset, y0 + r * stride * cell + inset,
                             kernel * cell - 2 * inset, kernel * cell - 2 * inset, "none",
                             colour, 2.2, 'class="patch"'))
    head, tail = o.verdict.split(" -> ")
    for k, part in enumerate((head, tail)):
        body.append(svg_text(x0, 16 + 16 * k, part, 12, fill=OK if o.even else WARN,
                             weight="bold", cls="verdict"))
    formula = Conv2DTranspose(1, kernel, strides=stride, padding=padding,
                              output_padding=output_padding).formula((n, n, 1))
    cropped = " (grey: cropped away)" if size > o.length else ""
    body.append(svg_text(x0, 52, f"input {n}x{n} -> {formula}: output {o.length}x{o.length}"
                         + cropped, 11, fill="#333333", cls="formula"))
    title = (f"overlap of a {kernel}x{kernel} transposed conv, stride {stride}, "
             f"{padding}: {o.verdict}")
    return SvgPicture(svg_document(max(width, ox + size * cell + 10), y0 + size * cell + 10,
                                   body, title), title, o.length, 0,
                      {"counts": o.counts, "canvas": canvas, "crop": o.crop, "even": o.even})
