"""stack_explorer(): a small network whose every layer has controls, against a target.

Drag a kernel or stride and the size diagram, the trace table and the
match/mismatch badge update at once; the fix buttons append the fix advisor's
layers; "Check with Keras" builds the real model and compares.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from helpers.bridge import graph_plan
from helpers.fixes import STRATEGIES, suggest
from helpers.plots import SvgPicture, size_diagram
from helpers.shapes import (
    Conv2D,
    Conv2DTranspose,
    Layer,
    MaxPooling2D,
    ShapeError,
    Trace,
    UpSampling2D,
    trace,
)

from .common import Explorer, SizeField, badge_html, message_html

__all__ = ["StackExplorer", "stack_explorer", "FIXES"]

KINDS = ("Conv2D", "MaxPooling2D", "Conv2DTranspose", "UpSampling2D")
FIXES = {way.label: way for way in STRATEGIES.values() if way.side == "output"}  # the buttons
DEFAULT = (Conv2D(16, 3, strides=2, padding="same"), Conv2D(32, 3, strides=2),
           MaxPooling2D(2), Conv2DTranspose(16, 3, strides=2, padding="same"))


def _row_values(spec: Layer) -> dict[str, Any]:
    """Dropdown/slider values for a spec of one of the four editable kinds."""
    if isinstance(spec, UpSampling2D):
        size = spec.size if isinstance(spec.size, int) else spec.size[0]
        return {"type": "UpSampling2D", "kernel": 1, "stride": size, "padding": "valid"}

    def first(v: Any) -> int:
        return v if isinstance(v, int) else v[0]

    if isinstance(spec, MaxPooling2D):
        return {"type": "MaxPooling2D", "kernel": first(spec.pool_size),
                "stride": first(spec.strides or spec.pool_size), "padding": spec.padding}
    if isinstance(spec, (Conv2D, Conv2DTranspose)):
        return {"type": spec.kind, "kernel": first(spec.kernel_size),
                "stride": first(spec.strides), "padding": spec.padding}
    raise ShapeError(f"stack_explorer edits {', '.join(KINDS)} layers; {spec.kind} is not one. "
                     "Start from those, and add fixes with the fix buttons.")


def _spec(kind: str, kernel: int, stride: int, padding: str, filters: int) -> Layer:
    if kind == "Conv2D":
        return Conv2D(filters, kernel, strides=stride, padding=padding)
    if kind == "MaxPooling2D":
        return MaxPooling2D(kernel, strides=stride, padding=padding)
    if kind == "Conv2DTranspose":
        return Conv2DTranspose(filters, kernel, strides=stride, padding=padding)
    return UpSampling2D(stride)


class StackExplorer(w.VBox, Explorer):
    """Controls for every layer of a small network, its sizes, and one-click fixes.

    >>> ex = StackExplorer(input_shape=(64, 64, 1))
    >>> ex.value["output_hw"], ex.value["matches"]
    ((14, 14), False)
    >>> _ = ex.fix("transposed conv"); ex.value["matches"]
    True
    """

    def __init__(self, layers: Sequence[Layer] | None = None,
                 input_shape: tuple = (64, 64, 1), target_hw: tuple | None = None) -> None:
        self.channels = input_shape[2] if len(input_shape) == 3 else 1
        target = tuple(target_hw or input_shape[:2])
        self.size_controls = {
            "input_h": SizeField(input_shape[0], description="input H"),
            "input_w": SizeField(input_shape[1], description="input W"),
            "target_h": SizeField(target[0], description="target H"),
            "target_w": SizeField(target[1], description="target W"),
        }
        self.fixes: list[Layer] = []
        self.rows_box, self.fix_box = w.VBox(), w.HTML()
        self.badge, self.diagram, self.table, self.keras_box = (w.HTML() for _ in range(4))
        self.last: SvgPicture | None = None
        self.traced: Trace | None = None
        self.error = ""
        buttons = []
        for label in FIXES:
            b = w.Button(description=label, layout=w.Layout(width="auto", min_width="90px"))
            b.on_click(lambda _, label=label: self.fix(label))
            buttons.append(b)
        clear = w.Button(description="remove fixes", icon="undo", layout=w.Layout(width="auto"))
        clear.on_click(lambda _: self.clear_fixes())
        check = w.Button(description="Check with Keras", icon="check",  # theme colours: AA
                         layout=w.Layout(width="160px"))
        check.on_click(lambda _: self.check_with_keras())
        add = w.Button(description="+ layer", layout=w.Layout(width="90px"))
        add.on_click(lambda _: self.set_layers([*self.layers(), Conv2D(8, 3, padding="same")]))
        drop = w.Button(description="- layer", layout=w.Layout(width="90px"))
        drop.on_click(lambda _: self.set_layers(self.layers()[:-1]))
        super().__init__([
            w.HBox(list(self.size_controls.values())), self.rows_box, w.HBox([add, drop]),
            self.fix_box, w.HBox([w.HTML("<b>fix:</b>"), *buttons, clear],
                                 layout=w.Layout(flex_flow="row wrap")), self.badge,
            self.diagram, w.HBox([check]), self.keras_box, self.table])
        # Stable hooks for the real-browser test (tests/test_browser.py).
        self.add_class("cnnlab-stack-explorer")
        self.badge.add_class("cnnlab-badge")
        self.diagram.add_class("cnnlab-picture")
        self.set_layers(list(layers) if layers is not None else list(DEFAULT))

    def set_layers(self, layers: Sequence[Layer]) -> None:
        """Replace the editable layers (one row of controls each) and redraw."""
        row_values = [_row_values(spec) for spec in layers]
        self.filters = [getattr(spec, "filters", 8) for spec in layers]
        rows, self.controls = [], dict(self.size_controls)
        small = {"style": {"description_width": "50px"}, "layout": w.Layout(width="250px")}
        for i, v in enumerate(row_values):
            self.controls[f"type_{i}"] = w.Dropdown(options=KINDS, value=v["type"],
                                                    description=f"layer {i + 1}",
                                                    style={"description_width": "50px"},
                                                    layout=w.Layout(width="230px"))
            self.controls[f"kernel_{i}"] = w.IntSlider(v["kernel"], min=1, max=7,
                                                       description="kernel", **small)
            self.controls[f"stride_{i}"] = w.IntSlider(v["stride"], min=1, max=4,
                                                       description="stride", **small)
            self.controls[f"padding_{i}"] = w.ToggleButtons(
                options=["valid", "same"], value=v["padding"],
                style={"button_width": "64px"})
            rows.append(w.HBox([self.controls[f"{k}_{i}"] for k in
                                ("type", "kernel", "stride", "padding")]))
        self.rows_box.children = rows
        self.fixes = []
        self._wire(self.redraw)
        self.redraw()

    def layers(self) -> list[Layer]:
        """The editable layers as specs, as the controls set them (fixes not included)."""
        n = sum(1 for k in self.controls if k.startswith("type_"))
        return [_spec(self.controls[f"type_{i}"].value, self.controls[f"kernel_{i}"].value,
                      self.controls[f"stride_{i}"].value, self.controls[f"padding_{i}"].value,
                      self.filters[i] if i < len(self.filters) else 8) for i in range(n)]

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return (self.controls["input_h"].value, self.controls["input_w"].value, self.channels)

    @property
    def target_hw(self) -> tuple[int, int]:
        return self.controls["target_h"].value, self.controls["target_w"].value

    @property
    def value(self) -> dict[str, Any]:
        """Sizes, layers (with fixes) and whether the output matches the target."""
        out = self.traced.output_shape[:2] if self.traced is not None and not self.error else None
        return {"input_hw": self.input_shape[:2], "target_hw": self.target_hw,
                "layers": self.layers() + self.fixes, "output_hw": out,
                "matches": out == self.target_hw}

    def redraw(self) -> None:
        """Trace the network and redraw the badge, the size diagram and the table."""
        layers = self.layers() + self.fixes
        self.fix_box.value = ("<div>fixes appended: " + ", ".join(
            f"<code>{html.escape(f.kind)}</code>" for f in self.fixes) + "</div>"
            if self.fixes else "")
        self.keras_box.value = ""
        try:
            self.traced = trace(self.input_shape, layers)
        except ShapeError as e:
            self.traced, self.error = None, str(e)
            self.badge.value = badge_html(False, "", builds=False) + message_html(self.error)
            self.diagram.value = self.table.value = ""
            return
        self.error = ""
        out = self.traced.output_shape[:2]
        self.last = size_diagram(self.traced, self.target_hw)
        self.badge.value = badge_html(out == self.target_hw, f"output {out[0]}x{out[1]}, "
                                      f"target {self.target_hw[0]}x{self.target_hw[1]}")
        self.diagram.value = self.last.svg
        self.table.value = self.traced._repr_html_()

    def fix(self, label: str) -> bool:
        """Append the fix advisor's best fix of the strategy a button shows (a label of
        FIXES, e.g. 'crop the output' or 'transposed conv'); True if one applied."""
        if label not in FIXES:
            raise ShapeError(f"label={label!r} is not a fix button: use one of {list(FIXES)}.")
        if self.traced is None:
            self._cannot(f"'{label}' needs a network that builds")
            return False
        out, channels = self.traced.output_shape[:2], self.traced.output_shape[2]
        found = [f for f in suggest(out, self.target_hw) if f.strategy == FIXES[label].name]
        if not found:
            self.badge.value += message_html(
                f"'{label}' does not apply to {out[0]}x{out[1]} -> {self.target_hw[0]}x"
                f"{self.target_hw[1]}" + (": the sizes already match." if out == self.target_hw
                                         else "; try another fix."), "info")
            return False
        self.fixes = self.fixes + found[0].specs(channels)
        self.redraw()
        return True

    def clear_fixes(self) -> None:
        """Remove the appended fixes."""
        self.fixes = []
        self.redraw()

    def check_with_keras(self) -> bool:
        """Build the real Keras model and show whether Keras agrees with the trace."""
        if self.traced is None:
            self._cannot("Keras cannot build it either")
            return False
        from helpers.bridge import keras_model

        model = keras_model(self.input_shape, self.layers() + self.fixes)
        keras_out = tuple(model.output_shape[1:])
        agree = keras_out == self.traced.output_shape
        size = "x".join(map(str, keras_out))
        self.keras_box.value = message_html(
            f"Keras builds the model and its output is {size}: it agrees with the trace above"
            + ("." if agree else f"? No: the trace says "
               f"{'x'.join(map(str, self.traced.output_shape))} (please report this)."),
            "info" if agree else "error", "Keras agrees" if agree else "Keras disagrees")
        return agree

    def _cannot(self, why: str) -> None:
        """Say, where the learner is looking, why a button did nothing."""
        self.keras_box.value = message_html(
            f"{why}: the network does not build at this size (see the message above). Change "
            "a layer or the input size first.", "info", "Nothing to do yet")


def _chain(model: Any, input_shape: tuple) -> tuple[list[Layer], tuple]:
    """A Keras model's layers as specs, and its input shape (when it is fixed)."""
    graph = graph_plan(model)
    if any(len(node.parents) > 1 for node in graph.nodes):
        raise ShapeError("stack_explorer edits a chain of layers, and this model merges "
                         "branches: explore it with widgets.model_explorer(model) instead.")
    shape = tuple(model.input_shape[1:])
    return [n.spec for n in graph.nodes if n.spec], shape if None not in shape else input_shape


def stack_explorer(layers: Sequence[Layer] | Any = None, input_shape: tuple = (64, 64, 1),
                   target_hw: tuple | None = None) -> StackExplorer:
    """The live network explorer widget (see StackExplorer): of a list of specs, or of a
    Keras model that is a chain of Conv2D, MaxPooling2D, Conv2DTranspose and UpSampling2D
    layers (its specs are read once, and its own input size is the explorer's).

    >>> stack_explorer(input_shape=(75, 75, 1)).value["output_hw"]
    (18, 18)
    """
    if hasattr(layers, "input_shape") and hasattr(layers, "layers"):  # a Keras model
        layers, input_shape = _chain(layers, input_shape)
    return StackExplorer(layers, input_shape, target_hw)
