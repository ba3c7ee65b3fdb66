"""suggest(): every way to make an output of one size match a target of another.

Each `Fix` says what it does with exact parameters, what it costs (pixels
thrown away, pixels invented, resolution lost, parameters added), gives its
layers as shape specs (no TensorFlow) or as Keras layers, and applies itself to
a model. Fixes are ranked, cheapest first, each with a one-line reason.

>>> [f.strategy for f in suggest((61, 61), (64, 64))][:4]
['transposed_conv', 'pad_output', 'pad_output', 'resize_output']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers.bridge import edited_model, keras_layer
from helpers.shapes import (
    Conv2DTranspose,
    Graph,
    Layer,
    Shape,
    ShapeError,
    as_graph,
    as_shape,
    trace,
)

from .strategies import STRATEGIES, Cost, Strategy

__all__ = ["Cost", "Fix", "suggest"]

HW = tuple[int, int]


@dataclass(frozen=True)
class Fix:
    """One way to make the output size equal the target size."""

    strategy: str
    side: str  # "output": add layers; "target": change the targets; "model": edit the model
    output_hw: HW | None  # None: the model does not run at its input size
    target_hw: HW
    params: dict = field(hash=False)
    cost: Cost
    reason: str
    score: float = 0.0

    def specs(self, channels: int = 1) -> list[Layer]:
        """The layers as shape specs (no TensorFlow): appended to the model, or, for a
        target-side fix, applied to the targets.

        >>> suggest((60, 60), (64, 64))[1].specs()
        [ZeroPadding2D(padding=((2, 2), (2, 2)), name=None)]
        """
        if self.way.layers is None:  # an edit of the model: see before/after and apply()
            return []
        return self.way.layers(self.params, self.output_hw, self.target_hw, channels)

    @property
    def layer(self) -> str | None:
        """For an edit of the model, the name of the layer it changes."""
        return self.params.get("layer")

    @property
    def before(self) -> str | None:
        """For an edit of the model, the learner's Keras line before the fix."""
        return self.params.get("before")

    @property
    def after(self) -> str | None:
        """For an edit of the model, the Keras line to paste instead."""
        return self.params.get("after")

    @property
    def corresponds(self) -> bool:
        """Does each output pixel still sit over the same place in the target?"""
        return not self.cost.misaligned

    @property
    def way(self) -> Strategy:
        """The Strategy this fix is one of (helpers.fixes.strategies)."""
        return STRATEGIES[self.strategy]

    @property
    def label(self) -> str:
        """The strategy's name as a learner reads it, e.g. 'pad the output'."""
        return self.way.label

    def extra_params(self, channels: int) -> int:
        """Trainable parameters the fix adds for a model with this many output channels
        (an edit of the model: the parameters it adds, negative when it removes some)."""
        return self.cost.params_delta + sum(
            spec.kernel_size[0] * spec.kernel_size[1] * channels * channels + channels
            for spec in self.specs(channels) if isinstance(spec, Conv2DTranspose))

    def layers(self, channels: int = 1) -> list[Any]:
        """The fix as Keras layers (imports Keras)."""
        return [keras_layer(spec) for spec in self.specs(channels)]

    def apply(self, model: Any) -> Any:
        """A new Keras model whose output is the target size; for a target-side fix,
        the model itself, unchanged (transform the targets with `transform_target`).

        A fix with trainable layers (a transposed conv) after an output activation
        (say a sigmoid, for images in [0, 1]) ends with that activation again, so the
        output keeps its range; logits stay logits."""
        if self.side == "target":
            return model
        if self.side == "model":
            p = self.params
            return edited_model(model, p["edits"], pad=p.get("pad"), crop=p.get("crop"),
                                crop_skips=p.get("cropped_skips", ()), input_shape=p["input_shape"])
        import keras

        if len(model.outputs) != 1:
            raise ShapeError(
                f"apply() needs a model with one output; this one has "
                f"{len(model.outputs)}. Apply the fix to the output you compare."
            )
        x = model.outputs[0]
        added = self.layers(int(x.shape[-1]))
        for layer in added:
            x = layer(x)
        activation = keras.activations.serialize(getattr(model.layers[-1], "activation",
                                                         keras.activations.linear))
        if activation not in ("linear", None) and any(layer.trainable_weights for layer in added):
            x = keras.layers.Activation(activation, name="output_activation")(x)
        inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        return keras.Model(inputs, x, name=f"{model.name}_{self.strategy}")

    def code(self) -> str:
        """The fix as Keras lines a learner pastes: the line to change for an edit, the
        layers to append, or the targets' transform.

        >>> print(suggest((60, 60), (64, 64))[1].code())
        x = model.output
        x = keras.layers.ZeroPadding2D(padding=((2, 2), (2, 2)))(x)
        model = keras.Model(model.input, x)
        """
        if self.side == "model":
            return f"# change:  {self.before}\n# to:      {self.after}"
        if self.side == "target":
            layers = ", ".join(_keras_text(s) for s in self.specs())
            return f"y = fix.transform_target(y)  # {layers} on the targets"
        lines = ["x = model.output"]
        for spec in self.specs():
            call = (f"keras.layers.{_keras_text(spec)}" if spec.kind != "ReflectPadding2D"
                    else f"bridge.keras_layer(shapes.{_keras_text(spec)})")
            if hasattr(spec, "filters"):  # keep the output's channels, whatever the model has
                call = call.replace("(", "(x.shape[-1], ", 1)
            lines.append(f"x = {call}(x)")
        return "\n".join([*lines, "model = keras.Model(model.input, x)"])

    def transform_target(self, y: np.ndarray, masks: bool = False) -> np.ndarray:
        """Targets (N, H, W[, C]) mapped to the output size; class masks are never averaged.

        >>> suggest((32, 32), (64, 64))[-1].transform_target(np.ones((2, 64, 64, 1))).shape
        (2, 32, 32, 1)
        """
        if self.way.retarget is None:
            return y
        y = np.asarray(y)
        if y.shape[1:3] != self.target_hw:
            raise ShapeError(
                f"y has spatial size {y.shape[1:3]}, but this fix was made for "
                f"targets of {self.target_hw}; call suggest() for your sizes."
            )
        return self.way.retarget(y, self.params, self.output_hw, masks)

    def __str__(self) -> str:
        if self.side == "model":
            where = f"layer '{self.layer}': " if self.layer else ""
            return f"{self.strategy}: change the model: {where}{self.before} -> {self.after}. " \
                   f"{self.reason}"
        layers = ", ".join(_keras_text(s) for s in self.specs())
        where = "append to the model" if self.side == "output" else "apply to the targets"
        return f"{self.strategy}: {where} {layers}. {self.reason}"


def _keras_text(spec: Layer) -> str:
    args = ", ".join(
        f"{k}={v!r}"
        for k, v in spec.__dict__.items()
        if (v is not None or k == "output_padding") and k not in ("name", "filters")
    )
    return f"{spec.kind}({args})"


def _candidates(o: HW, t: HW) -> list[Fix]:
    return [Fix(way.name, way.side, o, t, p.params, p.cost, p.reason)
            for way in STRATEGIES.values() for p in way.candidates(o, t)]


def _score(fix: Fix) -> float:
    c, (th, tw) = fix.cost, fix.target_hw
    area = th * tw
    score = (c.output_pixels_discarded + c.pixels_invented + c.target_pixels_lost) / area
    score += 0.25 * math.log2(c.resolution_factor)  # merged detail: coarser, but all seen
    score += fix.way.penalty
    score += 0.02 if fix.params.get("interpolation") == "nearest" else 0.0
    score += 0.01 if fix.params.get("mode") == "reflect" else 0.0
    score += 0.1 if fix.side == "target" else 0.0
    score += 0.005 if c.params_delta else 0.0  # new weights for that layer: it starts again
    score += 1.0 if c.misaligned else 0.0  # pixels that do not correspond: last, whatever else
    return round(score, 4)


def _lands(fix: Fix) -> bool:
    """The fix's own layers really take its input size to its output size."""
    start, end = (fix.output_hw, fix.target_hw) if fix.side == "output" else \
        (fix.target_hw, fix.output_hw)
    try:
        return trace((*start, 1), fix.specs())[-1].output_shape[:2] == end
    except ShapeError:
        return False


def _edits(o: HW | None, t: HW, network: list[Layer] | Graph, input_shape: Shape) -> list[Fix]:
    graph = as_graph(network, input_shape)
    return [Fix(way.name, way.side, o, t, p.params, p.cost, p.reason)
            for way in STRATEGIES.values() for p in way.edits(graph, input_shape, t)]


def suggest(output_hw: HW | None, target_hw: HW, specs: list[Layer] | Graph | None = None,
            input_shape: Shape | None = None) -> list[Fix]:
    """Every applicable fix for an output of output_hw against targets of target_hw, ranked.

    With the model's layers (`specs`: a chain of specs, or the Graph that
    helpers.bridge.graph_plan reads from a Keras model) and `input_shape`, the fixes that
    edit the model join in; `output_hw` may then be None, for a model that does not run
    at that input size.

    >>> [(f.strategy, f.params.get("interpolation")) for f in suggest((37, 37), (75, 75))[:3]]
    [('transposed_conv', None), ('upsample_output', 'bilinear'), ('upsample_output', 'nearest')]
    >>> from helpers.shapes import Conv2D
    >>> specs = [Conv2D(8, 3, padding="same", name="c1"), Conv2D(1, 3, name="c2")]
    >>> fix = suggest((30, 30), (32, 32), specs, (32, 32, 1))[0]
    >>> fix.strategy, fix.layer, fix.after, fix.corresponds
    ('edit_layer', 'c2', "Conv2D(1, 3, padding='same')", True)
    """
    if specs is not None and input_shape is None:
        raise ShapeError("specs given without input_shape: pass input_shape=(H, W, C), the "
                         "size the model is fed, e.g. suggest(out, target, specs, (89, 89, 1)).")
    t = tuple(target_hw)
    if output_hw is None and specs is not None:
        fixes = _edits(None, t, specs, as_shape(input_shape))
        return sorted((Fix(f.strategy, f.side, None, t, f.params, f.cost, f.reason, _score(f))
                       for f in fixes), key=lambda f: f.score)
    if output_hw is None:
        raise ShapeError("output_hw=None: give the output's (height, width), or the model's "
                         "specs and input_shape for a model that does not run at that size.")
    o = tuple(output_hw)
    for name, hw in (("output_hw", o), ("target_hw", t)):
        if len(hw) != 2 or not all(isinstance(v, int) and v >= 1 for v in hw):
            raise ShapeError(
                f"{name}={hw!r} must be (height, width) with positive ints, "
                "e.g. (61, 61); leave the batch and channel axes out."
            )
    if o == t:
        return []
    edits = _edits(o, t, specs, as_shape(input_shape)) if specs is not None else []
    fixes = [
        Fix(f.strategy, f.side, o, t, f.params, f.cost, f.reason, _score(f))
        for f in edits + [f for f in _candidates(o, t) if _lands(f)]
    ]
    return sorted(fixes, key=lambda f: f.score)
