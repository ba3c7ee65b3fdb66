"""unet_explorer(): which input sizes a U-Net takes, level by level, and what each cure does.

A U-Net pools by 2 at every level and concatenates each decoder map with the
encoder map of its level (the skip), so both must have the same H and W. An odd
size loses a pixel to floor(n / 2) and the skip no longer fits. `shapes.unet_plan`
traces the U-Net that `helpers.models.unet` builds (`shapes.unet_specs`), for each
cure ("pad", "crop", "output_padding") and for none; `plots.unet_svg` draws that plan
and the explorer wires it to sliders. Nothing here imports TensorFlow.

>>> unet_explorer(depth=2, size=75, cure="output_padding").value["output"]
75
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ipywidgets as w

from helpers.plots import OK, unet_svg
from helpers.shapes import CURES, ShapeError, UNetPlan, unet_plan, unet_specs, valid_input_sizes

from .common import Explorer, badge_html, message_html

__all__ = ["UNetExplorer", "unet_explorer"]

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
        self.add_class("cnnlab-unet-explorer")  # stable hooks for the browser tests
        self.picture.add_class("cnnlab-picture")
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
            self.badge.value = badge_html(False, "no input size near this one builds", False)
            self.picture.value, self.message.value = "", message_html(self.error)
            return
        plan, self.error = self.plan, self.plan.error
        if plan.works:
            text = f"{size}x{size} in, {plan.output}x{plan.output} out"
        elif plan.builds:
            text = (f"builds, but the output is {plan.output}x{plan.output}, not {size}x{size}: "
                    f"crop the targets to it (models.crop_targets)")
        else:
            text = f"{size}x{size} with cure '{CURES[cure]}'"
        self.badge.value = badge_html(plan.works, text, plan.builds)
        self.picture.value = unet_svg(plan).svg
        self.message.value = message_html(plan.error) if plan.error else ""


def unet_explorer(depth: int = 2, size: int = 75, **settings: Any) -> UNetExplorer:
    """The live U-Net size explorer widget (see UNetExplorer); settings: cure.

    >>> unet_explorer(depth=3, size=80).value["works"]
    True
    """
    return UNetExplorer(depth=depth, size=size, **settings)
