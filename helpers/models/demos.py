"""demo(): the model that shows a strategy in training, ready for `training.train`.

The strategies and their demos are listed once, in `helpers.fixes.strategies`; this
module builds one: the Keras model, how to shrink the targets to its output, and the
loss (None: train's default; a masked loss where padding invents pixels). The
training playground and notebook 06 train these.

>>> run = demo("downsampled target", (32, 32, 3))
>>> run.model.output_shape, run.targets(np.zeros((2, 32, 32, 3))).shape
((None, 8, 8, 3), (2, 8, 8, 3))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import helpers.models.builders as builders
import helpers.models.unet as unet
from helpers.fixes import demos

from .parts import ModelError

__all__ = ["DemoRun", "demo"]


@dataclass(frozen=True)
class DemoRun:
    """A strategy's model, its target transform and its loss (None: train's default)."""

    label: str
    model: Any
    factor: int = 1
    loss: Any = None

    def targets(self, y: np.ndarray) -> np.ndarray:
        """Targets (N, H, W[, C]) as this model's output sees them (shrunk by `factor`)."""
        return y if self.factor == 1 else builders.downsample_targets(y, self.factor)


def demo(label: str, input_shape: Any, classes: int | None = None, **head: Any) -> DemoRun:
    """Build the demo model of a strategy by its label (see `helpers.fixes.demos()`).

    classes: an int for segmentation logits, None for an image output.

    >>> demo("U-Net", (32, 32, 1), classes=2).model.output_shape
    (None, 32, 32, 2)
    """
    found = demos()
    if label not in found:
        raise ModelError(f"label={label!r} is not a demo; use one of {list(found)}.")
    _, d = found[label]
    build = getattr(builders, d.builder, None) or getattr(unet, d.builder)
    kw = {**d.kwargs, **head, **({"classes": classes} if classes else {})}
    model = build(input_shape, **kw)
    loss = None
    if d.masked_loss:  # the padding invents pixels: the loss looks away from them
        from helpers.training import masked_loss

        loss = masked_loss(builders.valid_mask(model),
                           "sparse_categorical_crossentropy" if classes else "mse")
    return DemoRun(label, model, d.target_factor, loss)
