"""conv_explorer() and transpose_explorer(): one layer, every size, live.

Both draw SVG (helpers.plots), so a slider tick redraws in well under a
millisecond in the kernel; neither imports TensorFlow.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from helpers.plots import SvgPicture, conv_svg, overlap_svg
from helpers.shapes import Conv2D, Conv2DTranspose, ShapeError, deconv_paddings, land, same_padding

from .common import Explorer, SizeField, message_html

__all__ = ["ConvExplorer", "TransposeExplorer", "conv_explorer", "transpose_explorer"]

PICTURE_N = 4  # the transpose explorer draws its overlap picture on at most 4x4 input pixels

LABEL = {"description_width": "110px"}  # "output_padding" whole
_SLIDER = {"continuous_update": True, "style": LABEL, "layout": w.Layout(width="340px")}


def _readout(kind: str, formula: str, out: int | None, extra: str = "") -> str:
    size = f"<b>output: {out} x {out}</b>" if out is not None else "<b>output: none</b>"
    return (f'<div style="font-family:monospace;font-size:13px">{size}<br>{kind}: '
            f"{html.escape(formula)}{extra}</div>")


class ConvExplorer(w.VBox, Explorer):
    """Sliders for one Conv2D (input size, kernel, stride, dilation, padding) and its picture.

    >>> ex = ConvExplorer(n=28, kernel=3, stride=2)
    >>> ex.value["output"]
    13
    >>> ex.set(padding="same"); ex.value["output"]
    14
    """

    def __init__(self, n: int = 9, kernel: int = 3, stride: int = 2, padding: str = "valid",
                 dilation: int = 1) -> None:
        self.controls = {
            "n": w.IntSlider(n, min=1, max=64, description="input size", **_SLIDER),
            "kernel": w.IntSlider(kernel, min=1, max=7, description="kernel_size", **_SLIDER),
            "stride": w.IntSlider(stride, min=1, max=4, description="strides", **_SLIDER),
            "dilation": w.IntSlider(dilation, min=1, max=3, description="dilation_rate",
                                    **_SLIDER),
            "padding": w.ToggleButtons(options=["valid", "same"], value=padding,
                                       description="padding",
                                       style=LABEL),
        }
        self.readout, self.picture = w.HTML(), w.HTML()
        self.last: SvgPicture | None = None
        self.error = ""
        super().__init__([w.HBox([w.VBox(list(self.controls.values())), self.readout]),
                          self.picture])
        # Stable hooks for the real-browser test (tests/test_browser.py).
        self.add_class("cnnlab-conv-explorer")
        self.readout.add_class("cnnlab-readout")
        self.picture.add_class("cnnlab-picture")
        self._wire(self.redraw)
        self.redraw()

    @property
    def value(self) -> dict[str, Any]:
        """The settings and the output size (None when the settings cannot run)."""
        return {**{k: c.value for k, c in self.controls.items()},
                "output": None if self.last is None or self.error else self.last.output}

    @value.setter
    def value(self, values: dict[str, Any]) -> None:
        self.set(**{k: v for k, v in values.items() if k in self.controls})

    def redraw(self) -> None:
        """Recompute the size and redraw the grid (or show why it cannot run)."""
        v = {k: c.value for k, c in self.controls.items()}
        try:
            self.last = conv_svg(v["n"], v["kernel"], v["stride"], v["padding"], v["dilation"])
        except ShapeError as e:
            self.error = str(e)
            self.picture.value = message_html(self.error)
            self.readout.value = _readout("Conv2D", "-", None)
            return
        self.error = ""
        spec = Conv2D(1, v["kernel"], v["stride"], v["padding"], v["dilation"])
        extra = ""
        if v["padding"] == "same":
            before, after = same_padding(v["n"], v["kernel"], v["stride"], v["dilation"])
            extra = (f"<br>same padding: {before} top/left, {after} bottom/right"
                     + (" (the odd pixel goes last)" if before != after else ""))
        self.readout.value = _readout("Conv2D", spec.formula((v["n"], v["n"], 1)),
                                      self.last.output, extra)
        self.picture.value = self.last.svg


class TransposeExplorer(w.VBox, Explorer):
    """Sliders for one Conv2DTranspose; output_padding offers only values that really run.

    >>> ex = TransposeExplorer(n=16, kernel=4, stride=2, padding="same")
    >>> sorted(v for _, v in ex.controls["output_padding"].options if v != "none")
    [1]
    >>> _ = ex.solve(31); ex.value["output"]
    31
    """

    def __init__(self, n: int = 8, kernel: int = 3, stride: int = 2, padding: str = "same",
                 output_padding: int | None = None) -> None:
        self.controls = {
            "n": w.IntSlider(n, min=1, max=64, description="input size", **_SLIDER),
            "kernel": w.IntSlider(kernel, min=1, max=7, description="kernel_size", **_SLIDER),
            "stride": w.IntSlider(stride, min=1, max=4, description="strides", **_SLIDER),
            "padding": w.ToggleButtons(options=["valid", "same"], value=padding,
                                       description="padding",
                                       style=LABEL),
            "output_padding": w.Dropdown(options=[("None", "none")], value="none",
                                         description="output_padding",
                                         style=LABEL),
        }
        self.target = SizeField(2 * n, description="land on", width="170px",
                                description_width="60px")
        self.solve_button = w.Button(description="solve", icon="crosshairs",
                                     layout=w.Layout(width="90px"))
        self.solve_button.on_click(lambda _: self.solve(self.target.value))
        self.readout, self.picture, self.solutions = w.HTML(), w.HTML(), w.HTML()
        self.last: SvgPicture | None = None
        self.output: int | None = None
        self.error = ""
        super().__init__([
            w.HBox([w.VBox(list(self.controls.values())), w.VBox([self.readout, self.picture])]),
            w.HBox([self.target, self.solve_button]), self.solutions])
        self._wire(self.redraw)
        self._sync_paddings(output_padding)
        self.redraw()

    def _sync_paddings(self, keep: Any = "none") -> None:
        v = {k: c.value for k, c in self.controls.items()}
        works = deconv_paddings(v["n"], v["kernel"], v["stride"], v["padding"])
        options = [(f"{'None' if op is None else op}  -> {size}", "none" if op is None else op)
                   for op, size in works.items()]
        dropdown = self.controls["output_padding"]
        self._quiet, previous = True, self._quiet
        try:
            dropdown.options = options
            values = [value for _, value in options]
            dropdown.value = keep if keep in values else ("none" if "none" in values else
                                                          values[0])
        finally:
            self._quiet = previous

    @property
    def value(self) -> dict[str, Any]:
        """The settings and the output size."""
        v = {k: c.value for k, c in self.controls.items()}
        v["output_padding"] = None if v["output_padding"] == "none" else v["output_padding"]
        return {**v, "output": self.output}

    @value.setter
    def value(self, values: dict[str, Any]) -> None:
        self.set(**{k: v for k, v in values.items() if k in self.controls})

    def set(self, **values: Any) -> None:
        """Set controls by name and redraw once; output_padding is set last, after the
        other settings have decided which values run (None or an int)."""
        op = values.pop("output_padding", "keep")
        with self._bulk():
            for name, value in values.items():
                if name not in self.controls:
                    raise ValueError(f"unknown control {name!r}; this explorer has "
                                     f"{sorted(self.controls)}.")
                self.controls[name].value = value
            if op != "keep":
                self._sync_paddings("none" if op is None else op)
                if self.controls["output_padding"].value != ("none" if op is None else op):
                    runs = [v for _, v in self.controls["output_padding"].options]
                    raise ValueError(f"output_padding={op!r} does not run with these settings; "
                                     f"the values that run are {runs} ('none' is None).")

    def redraw(self) -> None:
        """Offer the output_padding values that run, then redraw the size and the overlap
        picture (drawn on at most PICTURE_N x PICTURE_N input pixels)."""
        self._sync_paddings(self.controls["output_padding"].value)
        v = self.value
        spec = Conv2DTranspose(1, v["kernel"], v["stride"], v["padding"], v["output_padding"])
        try:
            self.output = spec.output_shape((v["n"], v["n"], 1))[0]
            formula = spec.formula((v["n"], v["n"], 1))
        except ShapeError as e:
            self.output, self.error = None, str(e)
            self.readout.value = _readout("Conv2DTranspose", "-", None)
            self.picture.value = message_html(self.error)
            return
        self.error = ""
        small = min(v["n"], PICTURE_N)  # numbers stay readable: at most 4x4 input pixels
        try:
            self.last = overlap_svg(v["kernel"], v["stride"], small, v["padding"],
                                    v["output_padding"])
        except ShapeError:  # that output_padding runs on n pixels but not on `small`
            self.last = overlap_svg(v["kernel"], v["stride"], small, v["padding"])
        self.readout.value = _readout("Conv2DTranspose", formula, self.output)
        self.picture.value = self.last.svg

    def solve(self, target: int) -> list[tuple]:
        """Find kernel, stride, padding and output_padding that land on `target` pixels,
        list them, and set the sliders to the best one."""
        n = self.controls["n"].value
        found = [c for c in land(n, target, max_stride=4) if c[0] <= 7]
        if not found:
            self.solutions.value = message_html(
                f"no Conv2DTranspose with kernel <= 7 and stride <= 4 turns {n} pixels into "
                f"{target}; change the input size, or add a crop/pad after it.", "info")
            return []
        rows = "".join(f"<li>kernel_size={k}, strides={s}, padding='{p}', output_padding={op}"
                       f"</li>" for k, s, p, op in found[:4])
        self.solutions.value = f"<div>Ways to land on {target}:<ul>{rows}</ul></div>"
        k, s, p, op = found[0]
        with self._bulk():
            self.controls["kernel"].value, self.controls["stride"].value = k, s
            self.controls["padding"].value = p
            self._sync_paddings("none" if op is None else op)
        return found


def conv_explorer(**settings: Any) -> ConvExplorer:
    """The live Conv2D explorer widget (see ConvExplorer).

    >>> conv_explorer(n=28, kernel=3, stride=2).value["output"]
    13
    """
    return ConvExplorer(**settings)


def transpose_explorer(**settings: Any) -> TransposeExplorer:
    """The live Conv2DTranspose explorer widget (see TransposeExplorer).

    >>> transpose_explorer(n=38, kernel=3, stride=2, padding="same").value["output"]
    76
    """
    return TransposeExplorer(**settings)
