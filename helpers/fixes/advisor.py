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

from helpers.bridge import keras_layer
from helpers.shapes import Conv2DTranspose, Layer, ShapeError, trace

from .strategies import STRATEGIES, Cost, Strategy

__all__ = ["Cost", "Fix", "suggest"]

HW = tuple[int, int]


@dataclass(frozen=True)
class Fix:
    """One way to make the output size equal the target size."""

    strategy: str
    side: str  # "output": add layers to the model; "target": change the targets
    output_hw: HW
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
        return self.way.layers(self.params, self.output_hw, self.target_hw, channels)

    @property
    def way(self) -> Strategy:
        """The Strategy this fix is one of (helpers.fixes.strategies)."""
        return STRATEGIES[self.strategy]

    @property
    def label(self) -> str:
        """The strategy's name as a learner reads it, e.g. 'pad the output'."""
        return self.way.label

    def extra_params(self, channels: int) -> int:
        """Trainable parameters the fix adds for a model with this many output channels."""
        return sum(spec.kernel_size[0] * spec.kernel_size[1] * channels * channels + channels
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

    def transform_target(self, y: np.ndarray, masks: bool = False) -> np.ndarray:
        """Targets (N, H, W[, C]) mapped to the output size; class masks are never averaged.

        >>> suggest((32, 32), (64, 64))[-1].transform_target(np.ones((2, 64, 64, 1))).shape
        (2, 32, 32, 1)
        """
        if self.side != "target":
            return y
        y = np.asarray(y)
        if y.shape[1:3] != self.target_hw:
            raise ShapeError(
                f"y has spatial size {y.shape[1:3]}, but this fix was made for "
                f"targets of {self.target_hw}; call suggest() for your sizes."
            )
        return self.way.retarget(y, self.params, self.output_hw, masks)

    def __str__(self) -> str:
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
    return round(score, 4)


def _lands(fix: Fix) -> bool:
    """The fix's own layers really take its input size to its output size."""
    start, end = (fix.output_hw, fix.target_hw) if fix.side == "output" else \
        (fix.target_hw, fix.output_hw)
    try:
        return trace((*start, 1), fix.specs())[-1].output_shape[:2] == end
    except ShapeError:
        return False


def suggest(output_hw: HW, target_hw: HW) -> list[Fix]:
    """Every applicable fix for an output of output_hw against targets of target_hw, ranked.

    >>> [(f.strategy, f.params.get("interpolation")) for f in suggest((37, 37), (75, 75))[:3]]
    [('transposed_conv', None), ('upsample_output', 'bilinear'), ('upsample_output', 'nearest')]
    """
    o, t = tuple(output_hw), tuple(target_hw)
    for name, hw in (("output_hw", o), ("target_hw", t)):
        if len(hw) != 2 or not all(isinstance(v, int) and v >= 1 for v in hw):
            raise ShapeError(
                f"{name}={hw!r} must be (height, width) with positive ints, "
                "e.g. (61, 61); leave the batch and channel axes out."
            )
    if o == t:
        return []
    fixes = [
        Fix(f.strategy, f.side, o, t, f.params, f.cost, f.reason, _score(f))
        for f in _candidates(o, t)
        if _lands(f)
    ]
    return sorted(fixes, key=lambda f: f.score)
