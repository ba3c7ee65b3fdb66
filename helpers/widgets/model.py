"""model_explorer(): the learner's own Keras model as live rows, at any input size.

The model is read once into its layer graph (`bridge.graph_plan`: Sequential or
functional, skips, residual and attention joins, nested models opened); dragging the
input height or width then re-sizes that graph in pure arithmetic (`shapes.Graph`), so
no redraw touches TensorFlow. It shows the size diagram of the layers that change the
size, where the model breaks and why, the nearest square sizes that work, the ranked
fixes as buttons (applied to the real model) and the Keras code of the fix chosen.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

import ipywidgets as w

from helpers.bridge import graph_plan
from helpers.fixes import Fix, suggest
from helpers.plots import size_diagram
from helpers.shapes import ShapeError, Trace, size_text

from .common import Explorer, badge_html, message_html

__all__ = ["ModelExplorer", "model_explorer"]

AROUND = 24  # the nearest working sizes are searched within this many pixels
FIX_BUTTONS = 4


class ModelExplorer(Explorer, w.VBox):
    """Input size sliders, the size diagram, where it breaks, sizes that work, fixes.

    `target`: (H, W) the output must have, "input" (image-to-image: the input's size),
    or None (show the output size only, e.g. a classifier's backbone).
    """

    def __init__(self, model: Any, target: Any = "input", size: tuple | None = None) -> None:
        self.model, self.graph = model, graph_plan(model)
        self.channels = int(model.inputs[0].shape[-1])
        built = tuple(model.inputs[0].shape[1:3])
        h, w_ = size or (built if None not in built else (64, 64))
        if target != "input" and target is not None and (
                len(target) < 2 or not all(isinstance(v, int) and v > 0 for v in target[:2])):
            raise ShapeError(f"target={target!r} must be (H, W), 'input' (the output should "
                             "have the input's size) or None (no target).")
        self.target = target if target in ("input", None) else tuple(target[:2])
        top = max(256, 2 * max(h, w_))
        slider = {"continuous_update": True, "style": {"description_width": "80px"},
                  "layout": w.Layout(width="420px")}
        self.controls = {
            "input_h": w.IntSlider(h, min=1, max=top, description="input H", **slider),
            "input_w": w.IntSlider(w_, min=1, max=top, description="input W", **slider),
        }
        self.badge, self.picture, self.where, self.near = (w.HTML() for _ in range(4))
        self.fix_box, self.outcome = w.HBox(layout=w.Layout(flex_flow="row wrap")), w.HTML()
        self.code = w.Textarea(layout=w.Layout(width="640px", height="90px"),
                               placeholder="the Keras code of the fix you apply")
        self.fixes: list[Fix] = []
        self.fixed: Any = None
        self.traced: Trace | None = None
        super().__init__([*self.controls.values(), self.badge, self.picture, self.where,
                          self.near, self.fix_box, self.outcome,
                          w.HTML("<b>copy the code:</b>"), self.code])
        self.add_class("cnnlab-model-explorer")
        self.picture.add_class("cnnlab-picture")
        self.badge.add_class("cnnlab-badge")
        self._sized = lru_cache(maxsize=512)(self._size_at)
        self._wire(self.redraw)
        self.redraw()

    def _target_hw(self, h: int, w_: int) -> tuple[int, int] | None:
        return (h, w_) if self.target == "input" else self.target

    def _size_at(self, h: int, w_: int) -> tuple:
        """(trace, failing Size, output (H, W), fixes, nearest working sizes) at (h, w)."""
        t, failed = self.graph.trace(h, w_)
        out = None if failed is not None or not t.rows else t.rows[-1].spatial_out
        target = self._target_hw(h, w_)
        fixes: list[Fix] = []
        if target is not None and (failed is not None or (out is not None and out != target)):
            try:
                fixes = suggest(out, target, self.graph, (h, w_, self.channels))[:FIX_BUTTONS]
            except ShapeError:
                fixes = []
        near = ()
        if failed is not None or (target is not None and out != target):
            near = self.graph.nearest_sizes(h, w_, AROUND, 6, same=self.target == "input")
        return t, failed, out, tuple(fixes), near

    def redraw(self) -> None:
        h, w_ = self.controls["input_h"].value, self.controls["input_w"].value
        t, failed, out, fixes, near = self._sized(h, w_)
        target = self._target_hw(h, w_)
        self.traced, self.fixes = t, list(fixes)
        changed = Trace(t.input_shape, tuple(r for r in t.rows if r.changed) or t.rows[-1:])
        if failed is not None:
            why = failed.error.split(". Fix:")[0]
            self.badge.value = badge_html(False, f"at {h}x{w_}: {failed.node.name} "
                                          f"({failed.node.kind}) cannot run", builds=False)
            self.where.value = message_html(why)
        else:
            shown = size_text(out) if out else "not a feature map"
            self.badge.value = (badge_html(out == target, f"output {shown} vs target "
                                           f"{size_text(target)}") if target else
                                f"<b>output {html.escape(shown)}</b> (no target given)")
            self.where.value = ""
        self.picture.value = size_diagram(changed, target=target).svg if changed.rows else ""
        self.near.value = (f"Square input sizes that work near {h}: "
                           f"{', '.join(map(str, near))}." if near else "")
        buttons = []
        for i, fix in enumerate(fixes, 1):
            b = w.Button(description=f"fix {i}: {fix.label}", tooltip=str(fix)[:300],
                         layout=w.Layout(width="auto"))
            b.on_click(lambda _, i=i: self.apply(i))
            buttons.append(b)
        self.fix_box.children = buttons

    def apply(self, i: int) -> Any:
        """Apply fix i (1 = the best) to the real model: `fixed` holds the new model, the
        code box its Keras lines."""
        if not 1 <= i <= len(self.fixes):
            raise ShapeError(f"i={i!r}: there are fixes 1 to {len(self.fixes)} at this size.")
        fix = self.fixes[i - 1]
        try:
            self.fixed = fix.apply(self.model)
        except Exception as e:  # noqa: BLE001 - said where the learner looks
            self.outcome.value = message_html(f"fix {i} could not be applied: {e}",
                                              title="Not applied")
            return None
        self.code.value = fix.code()
        shown = size_text(tuple(self.fixed.output_shape[1:]))
        self.outcome.value = message_html(f"fix {i} ({fix.label}) applied: the fixed model's "
                                          f"output is {shown}; it is explorer.fixed.", "ok",
                                          "Applied")
        return self.fixed

    @property
    def value(self) -> dict[str, Any]:
        """The input size, the output size (None when it breaks), what breaks, the nearest
        sizes that work and the fixes' labels."""
        h, w_ = self.controls["input_h"].value, self.controls["input_w"].value
        _, failed, out, fixes, near = self._sized(h, w_)
        return {"input_h": h, "input_w": w_, "output": out,
                "breaks": None if failed is None else failed.node.name,
                "near": near, "fixes": [f.label for f in fixes]}


def model_explorer(model: Any, target: Any = "input", size: tuple | None = None) -> ModelExplorer:
    """Explore your own Keras model's sizes live (read once; no TensorFlow per redraw).

    >>> import keras
    >>> x = keras.Input((None, None, 1))
    >>> a = keras.layers.Conv2D(4, 3, padding="same", name="a")(x)
    >>> up = keras.layers.UpSampling2D(2, name="up")(keras.layers.MaxPooling2D(2)(a))
    >>> ex = model_explorer(keras.Model(x, keras.layers.Add(name="res")([up, a])), size=(9, 9))
    >>> ex.value["breaks"], ex.value["near"]
    ('res', (4, 6, 8, 10, 12, 14))
    >>> ex.set(input_h=10, input_w=10); ex.value["output"], ex.value["breaks"]
    ((10, 10), None)
    """
    return ModelExplorer(model, target, size)
