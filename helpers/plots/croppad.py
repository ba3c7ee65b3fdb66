"""The crop/pad picture: a target grid with the output placed at an offset, as SVG.

Draws a `helpers.fixes.crop_pad` plan; used by `helpers.widgets.croppad` (a redraw
takes well under a millisecond) and shown on its own in notebook 04. Regions are
drawn as rectangles, not one rectangle per pixel, so a 128x128 grid stays a small
SVG string.

>>> from helpers.fixes import crop_pad
>>> pic = croppad_svg(crop_pad((61, 61), (64, 64), top=1, left=1))
>>> pic.output, pic.data["ignored"]
((61, 61), 375)
"""

from __future__ import annotations

from typing import Any

from .style import GREY, PALETTE
from .svg import SvgPicture, svg_document, svg_rect, svg_text

__all__ = ["REGIONS", "croppad_svg"]

COMPARED = PALETTE["sky"]  # output and target pixels the loss compares
REGIONS = {  # CropPad.region -> (Okabe-Ito colour, what the region's pixels are)
    "ignored": (PALETTE["vermillion"], "target pixels cropped away (the loss never sees them)"),
    "zeros": ("#4D4D4D", "zeros the output invents (compared with real target pixels)"),
    "reflect": (PALETTE["orange"], "mirrored pixels the output invents (compared with real ones)"),
    "discarded": (PALETTE["purple"], "predictions cropped away (never trained)"),
}


def croppad_svg(plan: Any, size: int = 300) -> SvgPicture:
    """The larger grid with the smaller one placed at the offset of `plan` (a
    `helpers.fixes.CropPad`), regions coloured.

    Cropping the target or padding the output places the output (the smaller grid)
    inside the target; cropping the output places the target inside the output.

    >>> from helpers.fixes import crop_pad
    >>> croppad_svg(crop_pad((66, 66), (64, 64), "crop_output")).data["discarded"]
    260
    """
    output_hw, target_hw = plan.output_hw, plan.target_hw
    (top, _), (left, _) = plan.edges
    crop_out = plan.region == "discarded"  # the target sits inside the output
    colour, words = REGIONS[plan.region]
    inner, outer = (target_hw, output_hw) if crop_out else (output_hw, target_hw)
    (ih, iw), (oh, ow) = inner, outer
    cell = max(1.0, min(14.0, size / max(oh, ow)))
    x0, y0 = 10.0, 28.0
    gap = oh * ow - ih * iw
    body = [svg_rect(x0, y0, ow * cell, oh * cell, colour, "none", 0),
            svg_rect(x0 + left * cell, y0 + top * cell, iw * cell, ih * cell, COMPARED,
                     "none", 0)]
    if cell >= 4:  # pixel grid lines
        lines = [f'M{x0:.1f},{y0 + i * cell:.1f}h{ow * cell:.1f}' for i in range(1, oh)]
        lines += [f'M{x0 + j * cell:.1f},{y0:.1f}v{oh * cell:.1f}' for j in range(1, ow)]
        body.append(f'<path d="{" ".join(lines)}" stroke="#FFFFFF" stroke-width="0.6"/>')
    out_box = (x0 + left * cell, y0 + top * cell, iw * cell, ih * cell)
    if crop_out:
        out_box = (x0, y0, ow * cell, oh * cell)
    body.append(svg_rect(*out_box, "none", PALETTE["blue"], 2.5))
    target_box = (x0, y0, ow * cell, oh * cell) if not crop_out else \
        (x0 + left * cell, y0 + top * cell, iw * cell, ih * cell)
    body.append(svg_rect(*target_box, "none", "#000000", 1.5, 'stroke-dasharray="5,3"'))
    (th, tw), (uh, uw) = target_hw, output_hw
    body.append(svg_text(x0, 16, f"target {th}x{tw} (dashed), output {uh}x{uw} (blue) at "
                              f"top {top}, left {left}", 12, weight="bold"))
    ly = y0 + oh * cell + 18
    for k, (fill, text) in enumerate(((COMPARED, f"{ih * iw} pixels predicted and compared"),
                                      (colour, f"{gap} {words}"))):
        body.append(svg_rect(x0, ly + 17 * k - 10, 12, 12, fill, GREY, 0.5))
        body.append(svg_text(x0 + 18, ly + 17 * k, text, 11, fill="#333333"))
    width = max(x0 + ow * cell + 10, 470)
    title = (f"{plan.label}: output {uh}x{uw}, target {th}x{tw}, offset top {top} left {left}, "
             f"{gap} {words}")
    counts = {"ignored": plan.ignored, "invented": plan.invented, "discarded": plan.discarded}
    meet = tuple(output_hw) if plan.applies_to == "targets" else tuple(target_hw)  # loss sees
    return SvgPicture(svg_document(width, ly + 30, body, title), title, meet, 0, counts)
