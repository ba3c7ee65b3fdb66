"""The crop/pad picture: a target grid with the output placed at an offset, as SVG.

Used by `helpers.widgets.croppad` (a redraw takes well under a millisecond) and
shown on its own in notebook 04. Regions are drawn as rectangles, not one
rectangle per pixel, so a 128x128 grid stays a small SVG string.

>>> pic = croppad_svg((61, 61), (64, 64), "crop_target", top=1, left=1)
>>> pic.output, pic.data["ignored"]
((61, 61), 375)
"""

from __future__ import annotations

from helpers.plots import GREY, SvgPicture, svg_document, svg_rect, svg_text
from helpers.plots.style import PALETTE

__all__ = ["COLOURS", "croppad_svg"]

COLOURS = {  # Okabe-Ito: what each region of the picture means
    "compared": PALETTE["sky"],           # output and target pixels the loss compares
    "crop_target": PALETTE["vermillion"],  # target pixels cropped away: never predicted
    "pad_zeros": "#4D4D4D",               # output pixels made up as zeros
    "pad_reflect": PALETTE["orange"],     # output pixels made up as a mirror image
    "crop_output": PALETTE["purple"],     # predictions cropped away
}
LEGEND = {"crop_target": "target pixels cropped away (the loss never sees them)",
          "pad_zeros": "zeros the output invents (compared with real target pixels)",
          "pad_reflect": "mirrored pixels the output invents (compared with real ones)",
          "crop_output": "predictions cropped away (never trained)"}


def croppad_svg(output_hw: tuple[int, int], target_hw: tuple[int, int], mode: str,
                top: int, left: int, size: int = 300) -> SvgPicture:
    """The larger grid with the smaller one placed at (top, left), regions coloured.

    mode is "crop_target", "pad_zeros" or "pad_reflect" (the output is the smaller
    grid, placed inside the target) or "crop_output" (the target is placed inside the
    output). The caller checks that the sizes and offsets fit (see CropPad).

    >>> croppad_svg((66, 66), (64, 64), "crop_output", 1, 1).data["discarded"]
    260
    """
    inner, outer = (target_hw, output_hw) if mode == "crop_output" else (output_hw, target_hw)
    (ih, iw), (oh, ow) = inner, outer
    cell = max(1.0, min(14.0, size / max(oh, ow)))
    x0, y0 = 10.0, 28.0
    gap = oh * ow - ih * iw
    body = [svg_rect(x0, y0, ow * cell, oh * cell, COLOURS[mode], "none", 0),
            svg_rect(x0 + left * cell, y0 + top * cell, iw * cell, ih * cell, COLOURS["compared"],
                  "none", 0)]
    if cell >= 4:  # pixel grid lines
        lines = [f'M{x0:.1f},{y0 + i * cell:.1f}h{ow * cell:.1f}' for i in range(1, oh)]
        lines += [f'M{x0 + j * cell:.1f},{y0:.1f}v{oh * cell:.1f}' for j in range(1, ow)]
        body.append(f'<path d="{" ".join(lines)}" stroke="#FFFFFF" stroke-width="0.6"/>')
    out_box = (x0 + left * cell, y0 + top * cell, iw * cell, ih * cell)
    if mode == "crop_output":
        out_box = (x0, y0, ow * cell, oh * cell)
    body.append(svg_rect(*out_box, "none", PALETTE["blue"], 2.5))
    target_box = (x0, y0, ow * cell, oh * cell) if mode != "crop_output" else \
        (x0 + left * cell, y0 + top * cell, iw * cell, ih * cell)
    body.append(svg_rect(*target_box, "none", "#000000", 1.5, 'stroke-dasharray="5,3"'))
    (th, tw), (uh, uw) = target_hw, output_hw
    body.append(svg_text(x0, 16, f"target {th}x{tw} (dashed), output {uh}x{uw} (blue) at "
                              f"top {top}, left {left}", 12, weight="bold"))
    ly = y0 + oh * cell + 18
    for k, (key, words) in enumerate((("compared", f"{ih * iw} pixels predicted and compared"),
                                      (mode, f"{gap} {LEGEND[mode]}"))):
        body.append(svg_rect(x0, ly + 17 * k - 10, 12, 12, COLOURS[key], GREY, 0.5))
        body.append(svg_text(x0 + 18, ly + 17 * k, words, 11, fill="#333333"))
    width = max(x0 + ow * cell + 10, 470)
    title = (f"{mode}: output {uh}x{uw}, target {th}x{tw}, offset top {top} left {left}, "
             f"{gap} pixels {mode.replace('_', ' ')}")
    counts = {"ignored": gap if mode == "crop_target" else 0,
              "invented": gap if mode.startswith("pad") else 0,
              "discarded": gap if mode == "crop_output" else 0}
    meet = tuple(output_hw) if mode == "crop_target" else tuple(target_hw)  # the size the loss sees
    return SvgPicture(svg_document(width, ly + 30, body, title), title, meet, 0, counts)
