"""crop_pad_explorer(): crop the target, pad the output or crop the output, pixel by pixel.

Pick the output and target sizes, a mode and the top/left offset (centred by
default, the odd pixel at the bottom/right); see where the output lands on the
target, the exact Keras layer that does it and how many target pixels the loss
then ignores. Pure arithmetic and SVG (helpers.plots.croppad_svg): no TensorFlow.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from helpers.fixes.croppad import FILLS, MODES, CropPad, crop_pad
from helpers.fixes.strategies import CROP_OUTPUT, CROP_TARGET, PAD_OUTPUT
from helpers.plots import croppad_svg
from helpers.shapes import ShapeError

from .common import Explorer, message_html

__all__ = ["CropPadExplorer", "crop_pad_explorer"]

HW = tuple[int, int]
_SLIDER = {"continuous_update": True, "style": {"description_width": "90px"},
           "layout": w.Layout(width="320px")}


def _readout(plan: CropPad) -> str:
    (t, b), (left, r) = plan.edges
    total = plan.target_hw[0] * plan.target_hw[1]
    code = html.escape(plan.layer)
    if plan.mode == CROP_TARGET.name:
        (oh, ow) = plan.output_hw
        how = (f"apply to the targets: <b>keras.layers.{code}</b>(y), or "
               f"y[:, {t}:{t + oh}, {left}:{left + ow}]")
    elif plan.mode == PAD_OUTPUT.name and plan.fill == "reflect":
        how = f"append to the model: x = <b>bridge.keras_layer(shapes.{code})</b>(x)"
    else:
        how = f"append to the model: x = <b>keras.layers.{code}</b>(x)"
    centred = t == (t + b) // 2 and left == (left + r) // 2
    where = "centred" + (" (the odd pixel at the bottom/right, as CenterCrop)"
                         if (t + b) % 2 or (left + r) % 2 else "") if centred else "off centre"
    lines = [how, f"split: top {t}, bottom {b}, left {left}, right {r} ({where})",
             f"<b>target pixels ignored: {plan.ignored} of {total} "
             f"({100 * plan.ignored / total:.1f}%)</b>"]
    if plan.invented:
        lines.append(f"invented pixels compared with real ones: {plan.invented} "
                     f"({100 * plan.invented / total:.1f}%); masked_loss(valid_mask(model)) would "
                     "ignore them instead")
    if plan.discarded:
        lines.append(f"predictions cropped away: {plan.discarded} (their pixels are never "
                     "trained)")
    return f'<div style="font-family:monospace;font-size:13px">{"<br>".join(lines)}</div>'


class CropPadExplorer(w.VBox, Explorer):
    """Sizes, mode and offset of a crop or pad, with its picture, layer and cost.

    >>> ex = CropPadExplorer((61, 61), (64, 64))
    >>> ex.value["layer"], ex.value["ignored"]
    ('Cropping2D(((1, 2), (1, 2)))', 375)
    >>> ex.set(mode="pad_output", top=0); ex.value["layer"]
    'ZeroPadding2D(((0, 3), (1, 2)))'
    """

    def __init__(self, output_hw: HW = (61, 61), target_hw: HW = (64, 64),
                 mode: str = CROP_TARGET.name, top: int | None = None,
                 left: int | None = None, fill: str = FILLS[0]) -> None:
        sizes = {"output_h": output_hw[0], "output_w": output_hw[1], "target_h": target_hw[0],
                 "target_w": target_hw[1]}
        self.controls = {name: w.IntSlider(v, min=1, max=128, description=name.replace("_", " "),
                                           **_SLIDER) for name, v in sizes.items()}
        self.controls["mode"] = w.Dropdown(options=[(way.label, k) for k, way in MODES.items()],
                                           value=mode, description="mode",
                                           style={"description_width": "90px"},
                                           layout=w.Layout(width="320px"))
        self.controls["fill"] = w.ToggleButtons(options=FILLS, value=fill, description="fill",
                                                style={"description_width": "90px",
                                                       "button_width": "80px"},
                                                layout=w.Layout(width="340px"))
        for name in ("top", "left"):
            self.controls[name] = w.IntSlider(0, min=0, max=0, description=f"{name} offset",
                                              **_SLIDER)
        self.readout, self.picture = w.HTML(), w.HTML()
        self.plan: CropPad | None = None
        self.error = ""
        column = w.VBox(list(self.controls.values()), layout=w.Layout(flex="0 0 340px"))
        self.readout.layout = w.Layout(flex="1 1 auto", min_width="0", overflow="auto")
        super().__init__([w.HBox([column, self.readout]), self.picture])
        self.add_class("cnnlab-croppad-explorer")  # stable hooks for the browser tests
        self.picture.add_class("cnnlab-picture")
        for name, control in self.controls.items():
            control.observe(self._changed_offset if name in ("top", "left") else
                            self._changed_size, names="value")
        with self._bulk():
            self._centre(top, left)

    def _changed_size(self, _change: dict) -> None:
        if not self._quiet:
            with self._bulk():
                self._centre()

    def _changed_offset(self, _change: dict) -> None:
        if not self._quiet:
            self.redraw()

    def _centre(self, top: int | None = None, left: int | None = None) -> None:
        """Offset sliders: range 0..gap, value top/left (None: centred)."""
        v = {k: c.value for k, c in self.controls.items()}
        flip = -1 if v["mode"] == CROP_OUTPUT.name else 1
        self.controls["fill"].disabled = v["mode"] != PAD_OUTPUT.name
        self._asked = {"top": top, "left": left}
        for name, axis in (("top", "h"), ("left", "w")):
            d = max(flip * (v[f"target_{axis}"] - v[f"output_{axis}"]), 0)
            slider, asked = self.controls[name], self._asked[name]
            slider.max, slider.disabled = d, d == 0
            slider.value = asked if isinstance(asked, int) and 0 <= asked <= d else d // 2

    @property
    def value(self) -> dict[str, Any]:
        """Settings, the layer (None when they cannot meet), edges and pixel counts."""
        v = {k: c.value for k, c in self.controls.items()}
        p = self.plan
        if p is None or self.error:
            return {**v, "layer": None, "edges": None, "applies_to": None, "ignored": None,
                    "ignored_pct": None, "invented": None, "discarded": None,
                    "error": self.error}
        total = p.target_hw[0] * p.target_hw[1]
        return {**v, "layer": p.layer, "edges": p.edges, "applies_to": p.applies_to,
                "ignored": p.ignored, "ignored_pct": round(100 * p.ignored / total, 2),
                "invented": p.invented, "discarded": p.discarded, "error": ""}

    @value.setter
    def value(self, values: dict[str, Any]) -> None:
        self.set(**{k: v for k, v in values.items() if k in self.controls})

    _late = ("top", "left")  # set() applies the offsets after the sizes

    def _set_late(self, top: int | None = None, left: int | None = None) -> None:
        """Offsets given to set(): leave them out to centre; out of range shows a message."""
        self._centre(top, left)

    def redraw(self) -> None:
        """Recompute the crop/pad and redraw picture and readout (or say why it cannot)."""
        v = {k: c.value for k, c in self.controls.items()}
        asked = getattr(self, "_asked", {})
        top, left = (asked.get(k) if asked.get(k) is not None else v[k] for k in ("top", "left"))
        self._asked = {}
        try:
            self.plan = crop_pad((v["output_h"], v["output_w"]), (v["target_h"], v["target_w"]),
                                 v["mode"], top, left, v["fill"])
        except ShapeError as e:
            self.plan, self.error = None, str(e)
            self.readout.value = ""
            self.picture.value = message_html(self.error, title="These sizes cannot meet this way")
            return
        self.error = ""
        self.readout.value = _readout(self.plan)
        self.picture.value = croppad_svg(self.plan).svg


def crop_pad_explorer(output_hw: HW = (61, 61), target_hw: HW = (64, 64),
                      **settings: Any) -> CropPadExplorer:
    """The live crop/pad explorer widget (see CropPadExplorer); settings: mode, top, left, fill.

    >>> crop_pad_explorer((61, 61), (64, 64), mode="pad_output", fill="reflect").value["invented"]
    375
    """
    return CropPadExplorer(output_hw, target_hw, **settings)
