"""unet_explorer(): which input sizes a U-Net takes, level by level, and what each cure does.

A U-Net pools by 2 at every level and concatenates each decoder map with the
encoder map of its level (the skip), so both must have the same H and W. An odd
size loses a pixel to floor(n / 2) and the skip no longer fits. `shapes.unet_plan`
traces the U-Net that `helpers.models.unet` builds (`shapes.unet_specs`), for each
cure ("pad", "crop", "output_padding") and for none; `unet_svg` draws that plan and
the explorer wires it to sliders. Nothing here imports TensorFlow.

>>> from helpers.shapes import unet_plan
>>> unet_svg(unet_plan(depth=2, size=75, cure="output_padding")).data["ups"]
(75, 38)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ipywidgets as w

from helpers.plots.style import PALETTE
from helpers.shapes import CURES, ShapeError, UNetPlan, unet_plan, unet_specs, valid_input_sizes
from helpers.svg import GREY, LIGHT, OK, WARN, SvgPicture, svg_document, svg_rect, svg_text

from .common import Explorer, badge_html, message_html

__all__ = ["unet_svg", "UNetExplorer", "unet_explorer"]

SKY, BLUE, ORANGE = PALETTE["sky"], PALETTE["blue"], PALETTE["orange"]


def _box(x: float, y: float, label: str, fill: str, text: str = "#000000") -> list[str]:
    return [svg_rect(x, y, 64, 24, fill, "#FFFFFF", 0, 'rx="3"'),
            svg_text(x + 32, y + 16, label, 11, "middle", text)]


def _arrow(x1: float, y1: float, x2: float, y2: float, colour: str = GREY) -> str:
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            'stroke-width="1.5"/>')


def unet_svg(plan: UNetPlan) -> SvgPicture:
    """The U: encoder maps down the left, decoder maps up the right, each skip across.

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


@lru_cache(maxsize=256)
def _valid_near(depth: int, size: int, count: int = 3) -> tuple[int, ...]:
    step = 2 ** depth
    found = valid_input_sizes(unet_specs(depth), max(1, size - count * step),
                              size + count * step)
    below = [n for n in found if n < size][-count:]
    return tuple(below + [n for n in found if n >= size][:count])


def _strip(depth: int, size: int, sizes: tuple[int, ...]) -> str:
    chips = "".join(
        f'<span style="display:inline-block;margin:2px;padding:1px 6px;border-radius:3px;'
        f'background:{OK if n == size else "#E6E6E6"};color:{"white" if n == size else "black"}'
        f'">{n}</span>' for n in sizes)
    pad = unet_plan(depth, size, "pad")
    extra = "" if pad.padded == size else (
        f"<br>cure 'pad input': {pad.padding[0]} top/left + {pad.padding[1]} bottom/right "
        f"-> {pad.padded}x{pad.padded}, cropped back to {size}x{size}")
    return (f'<div style="font-size:13px">sizes a plain U-Net of depth {depth} takes near '
            f"{size} (multiples of 2<sup>{depth}</sup> = {2 ** depth}): {chips}{extra}</div>")


class UNetExplorer(w.VBox, Explorer):
    """Depth, input size and cure of a U-Net: its sizes level by level, and a verdict.

    >>> ex = UNetExplorer(depth=2, size=75)
    >>> ex.value["works"], ex.value["valid_sizes"]
    (False, (64, 68, 72, 76, 80, 84))
    >>> ex.set(cure="pad"); ex.value["works"], ex.value["padded"]
    (True, 76)
    """

    def __init__(self, depth: int = 2, size: int = 75, cure: str = "none") -> None:
        wide = {"style": {"description_width": "80px"}, "layout": w.Layout(width="360px")}
        self.controls = {
            "depth": w.IntSlider(depth, min=1, max=5, description="depth", **wide),
            "size": w.IntSlider(size, min=16, max=256, description="input size", **wide),
            "cure": w.ToggleButtons(options=[(label, v) for v, label in CURES.items()],
                                    value=cure, description="cure",
                                    style={"description_width": "80px"}),
        }
        self.badge, self.picture, self.message, self.strip = (w.HTML() for _ in range(4))
        self.plan: UNetPlan | None = None
        self.error = ""
        super().__init__([*self.controls.values(), self.badge, self.picture, self.message,
                          self.strip])
        self._wire(self.redraw)
        self.redraw()

    @property
    def value(self) -> dict[str, Any]:
        """Settings, whether the size works, the output and padded sizes, nearby valid sizes."""
        v = {k: c.value for k, c in self.controls.items()}
        plan = self.plan
        return {**v, "works": bool(plan and plan.works), "builds": bool(plan and plan.builds),
                "output": plan.output if plan else None,
                "padded": plan.padded if plan else None,
                "valid_sizes": _valid_near(v["depth"], v["size"])}

    @value.setter
    def value(self, values: dict[str, Any]) -> None:
        self.set(**{k: v for k, v in values.items() if k in self.controls})

    def redraw(self) -> None:
        """Plan the U-Net at these settings and redraw badge, picture, message and strip."""
        depth, size, cure = (self.controls[k].value for k in ("depth", "size", "cure"))
        self.strip.value = _strip(depth, size, _valid_near(depth, size))
        try:
            self.plan = unet_plan(depth, size, cure)
        except ShapeError as e:  # e.g. a size no padding up to 1024 rescues
            self.plan, self.error = None, str(e)
            self.badge.value = badge_html(False, "cannot plan this U-Net")
            self.picture.value, self.message.value = "", message_html(self.error)
            return
        plan, self.error = self.plan, self.plan.error
        if plan.works:
            text = f"{size}x{size} in, {plan.output}x{plan.output} out"
        elif plan.builds:
            text = (f"builds, but the output is {plan.output}x{plan.output}, not {size}x{size}: "
                    f"crop the targets to it (models.crop_targets)")
        else:
            text = f"{size}x{size} does not build with cure '{CURES[cure]}'"
        self.badge.value = badge_html(plan.works, text)
        self.picture.value = unet_svg(plan).svg
        self.message.value = message_html(plan.error) if plan.error else ""


def unet_explorer(depth: int = 2, size: int = 75, **settings: Any) -> UNetExplorer:
    """The live U-Net size explorer widget (see UNetExplorer); settings: cure.

    >>> unet_explorer(depth=3, size=80).value["works"]
    True
    """
    return UNetExplorer(depth=depth, size=size, **settings)
