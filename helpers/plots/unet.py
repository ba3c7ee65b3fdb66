"""The U-Net picture: encoder maps down the left, decoder maps up the right, each skip
across, coloured by whether it joins (the plan is `helpers.shapes.unet_plan`).

>>> from helpers.shapes import unet_plan
>>> unet_svg(unet_plan(depth=2, size=75, cure="output_padding")).data["ups"]
(75, 38)
"""

from __future__ import annotations

from helpers.shapes import UNetPlan

from .style import GREY, LIGHT, OK, PALETTE, WARN
from .svg import SvgPicture, svg_document, svg_rect, svg_text

__all__ = ["unet_svg"]

SKY, BLUE, ORANGE = PALETTE["sky"], PALETTE["blue"], PALETTE["orange"]


def _box(x: float, y: float, label: str, fill: str, text: str = "#000000") -> list[str]:
    return [svg_rect(x, y, 64, 24, fill, "#FFFFFF", 0, 'rx="3"'),
            svg_text(x + 32, y + 16, label, 11, "middle", text, on=fill)]


def _arrow(x1: float, y1: float, x2: float, y2: float, colour: str = GREY) -> str:
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            'stroke-width="1.5"/>')


def unet_svg(plan: UNetPlan) -> SvgPicture:
    """The U: encoder maps down the left, decoder maps up the right, each skip across.

    >>> from helpers.shapes import unet_plan
    >>> unet_svg(unet_plan(2, 75)).data["joins"]
    ('unreached', 'fail')
    """
    d, indent, gap, top = plan.depth, 48, 44, 56
    width = max(560, 2 * (10 + d * indent + 64) + 40)
    height = top + d * gap + 40
    body = []
    ok = plan.works
    failed = [i for i, j in enumerate(plan.joins) if j == "fail"]
    verdict = (f"{plan.size}x{plan.size} works: output {plan.output}x{plan.output}" if ok else
               f"builds, but the output is {plan.output}x{plan.output}, the input "
               f"{plan.size}x{plan.size}" if plan.builds else
               f"does not build: the skip at level {failed[0]} does not fit" if failed else
               "does not build: the input is too small for this depth")
    body.append(svg_text(10, 16, verdict, 12, fill=OK if ok else WARN, weight="bold"))
    if plan.cure == "pad":
        body.append(svg_text(10, 33, f"pad input {plan.size} -> {plan.padded} ({plan.padding[0]} "
                          f"top/left, {plan.padding[1]} bottom/right); crop the output back",
                          11, fill="#333333"))
    pool_word = "ceil" if plan.cure == "output_padding" else "floor"
    centre = width / 2 - 32
    for i, n in enumerate(plan.downs):  # encoder boxes and pool arrows
        x, y = 10 + i * indent, top + i * gap
        body += _box(x, y, f"{n}x{n}", SKY)
        nxt = plan.downs[i + 1] if i + 1 < d else plan.bottom
        if nxt is not None:
            body.append(_arrow(x + 20, y + 24, (x + indent if i + 1 < d else centre) + 20,
                               y + gap))
            lossy = 2 * nxt != n
            tx, ty = (x + indent + 26, y + 37) if i + 1 < d else (centre + 72, y + gap + 16)
            body.append(svg_text(tx, ty, f"{pool_word}({n}/2) = {nxt}", 10,
                              fill=WARN if lossy else "#333333"))
    if plan.bottom is not None:
        body += _box(centre, top + d * gap, f"{plan.bottom}x{plan.bottom}", BLUE, "#FFFFFF")
    for i in range(d):  # decoder boxes, up arrows and skips
        x, y = width - 74 - i * indent, top + i * gap
        up, join = plan.ups[i], plan.joins[i]
        fill = {"ok": OK, "crop": ORANGE, "fail": WARN, "unreached": LIGHT}[join]
        body += _box(x, y, "?" if up is None else f"{up}x{up}", fill,
                     "#FFFFFF" if join in ("ok", "fail") else "#000000")
        below_x = centre if i == d - 1 else width - 74 - (i + 1) * indent
        if up is not None:
            body.append(_arrow(below_x + 44, y + gap, x + 44, y + 24))
        ex, sy = 10 + i * indent + 64, y + 12
        colour = {"ok": OK, "crop": ORANGE, "fail": WARN, "unreached": GREY}[join]
        dash = ' stroke-dasharray="5,3"' if join == "unreached" else ""
        body.append(f'<line x1="{ex + 2:.1f}" y1="{sy:.1f}" x2="{x - 2:.1f}" y2="{sy:.1f}" '
                    f'stroke="{colour}" stroke-width="2"{dash}/>')
        skip = plan.downs[i] if i < len(plan.downs) else None
        label = {"ok": f"skip {skip} = {up}", "crop": f"crop skip {skip} -> {up}",
                 "fail": f"{skip} vs {up}: Concatenate fails", "unreached": "not reached"}[join]
        body.append(svg_text((ex + x) / 2, sy - 4, label, 10, "middle", colour,
                          "bold" if join == "fail" else "normal"))
    if plan.downs:
        body.append(svg_text(10, top - 6, "input" if plan.cure != "pad" else "padded input", 10,
                          fill=GREY))
        body.append(svg_text(width - 10, top - 6, "decoder (before the head)", 10, "end", GREY))
    title = f"U-Net depth {d}, input {plan.size}x{plan.size}, cure {plan.cure}: " \
            + ("works" if ok else "fails")
    return SvgPicture(svg_document(width, height, body, title), title, plan.output, 0,
                      {"joins": plan.joins, "downs": plan.downs, "ups": plan.ups})
