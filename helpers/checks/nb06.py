"""Checks for 06 · Choosing a strategy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from helpers.shapes import conv_out, deconv_out

from .core import Verdict, exercise

__all__: list[str] = []

SIZE = 75             # exercise 6.1: the images' spatial size
TOLERANCE = 0.08      # exercise 6.2: mean IoU a smaller model may give up
TARGET = (64, 64)     # exercise 6.3: the target's spatial size (H, W)
INVENTS = "Padding"                       # ZeroPadding2D, ReflectPadding2D(Layer)
INTERPOLATES = ("Resizing", "UpSampling")
LEARNED = ("Conv2DTranspose", "Dense")   # layers a fix would append with new weights


def _whole_number(answer: Any) -> int | None:
    """The answer as an int, or None if it is not a whole number (bools excluded)."""
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        return None
    return int(answer)


def _pad_net_output(n: int) -> int:
    """Spatial size of models.crop_pad_net(mode="pad") before its padding: two
    Conv2D(3, strides=2, padding="valid"), then two Conv2DTranspose(2, strides=2)."""
    for _ in range(2):
        n = conv_out(n, 3, stride=2)
    for _ in range(2):
        n = deconv_out(n, 2, stride=2)
    return n


@exercise("6.1", f"target pixels a masked loss never sees at {SIZE}x{SIZE}")
def _discarded(answer: Any) -> Verdict:
    inner = _pad_net_output(SIZE)
    expected = SIZE * SIZE - inner * inner
    count = _whole_number(answer)
    if count is None:
        return Verdict(False, "Answer with one whole number of pixels per image (per channel).")
    if count == expected:
        return Verdict(True, f"{SIZE}x{SIZE} - {inner}x{inner} = {SIZE * SIZE} - "
                             f"{inner * inner} = {expected} pixels ({expected / SIZE ** 2:.1%}) "
                             "that the model is never trained on.")
    if count == inner * inner:
        return Verdict(False, f"{count} is the number of pixels the loss does see. Which "
                              "pixels of the target are left over?")
    if count == SIZE - inner:
        return Verdict(False, f"{count} is the gap along one axis. The border runs around the "
                              "whole image: count the pixels of the target minus those of "
                              "the predicted square.")
    return Verdict(False, "Trace the sizes first: 'valid' stride-2 convolutions give "
                          "floor((n - 3) / 2) + 1, each transposed one (kernel 2, stride 2) "
                          "doubles. Then subtract the predicted area from the target's.")


def _iou(run: Any) -> float:
    quality = getattr(run, "quality", None)
    if not isinstance(quality, Mapping) or "mean_iou" not in quality:
        raise TypeError("each run needs a quality['mean_iou'] (a segmentation History)")
    return float(quality["mean_iou"])


@exercise("6.2", "the smallest model within reach of the best mean IoU")
def _pick(answer: Any) -> Verdict:
    if not (isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[1], Mapping)):
        return Verdict(False, "Answer with a pair: (the strategy's name, the dict of runs you "
                              "read it from), e.g. ('same padding', seg_full).")
    name, runs = answer
    if len(runs) < 2:
        return Verdict(False, "Pass the dict with every segmentation run, so that the choice "
                              "can be checked against all of them.")
    if name not in runs:
        return Verdict(False, f"{name!r} is not one of the runs: {list(runs)}.")
    best = max(_iou(r) for r in runs.values())
    eligible = {n: r for n, r in runs.items() if _iou(r) >= best - TOLERANCE}
    smallest = min(r.params for r in eligible.values())
    if name in eligible and runs[name].params == smallest:
        among = (f"the fewest of the {len(eligible)} strategies" if len(eligible) > 1
                 else "the only strategy")
        return Verdict(True, f"{name}: mean IoU {_iou(runs[name]):.3f} (best {best:.3f}) "
                             f"with {smallest:,} parameters, {among} within {TOLERANCE} of "
                             "the best.")
    if name not in eligible:
        return Verdict(False, f"{name} scores {_iou(runs[name]):.3f}, more than {TOLERANCE} "
                              f"below the best ({best:.3f}). Keep only the strategies that "
                              "reach the best minus the tolerance, then compare their sizes.")
    return Verdict(False, f"{name} is close enough to the best, but another strategy that is "
                          f"also within {TOLERANCE} has fewer parameters than its "
                          f"{runs[name].params:,}. Compare the params of the strategies you "
                          "kept.")


@exercise("6.3", f"make a model's output {TARGET[0]}x{TARGET[1]} without new parameters or "
                "invented pixels")
def _fixed(answer: Any) -> Verdict:
    from helpers.fixes import diagnose

    if not hasattr(answer, "output_shape") or not hasattr(answer, "layers"):
        return Verdict(False, "Answer with the fixed Keras model: fix.apply(valid_net) returns "
                              "one.")
    if tuple(answer.input_shape[1:3]) != TARGET:
        return Verdict(False, f"The model should still read {TARGET[0]}x{TARGET[1]} images; "
                              f"this one reads {answer.input_shape[1:3]}.")
    diagnosis = diagnose(answer, target_shape=TARGET)
    kinds = [type(layer).__name__ for layer in answer.layers]
    if diagnosis.failed is not None:
        return Verdict(False, f"This model does not build at {TARGET[0]}x{TARGET[1]}: layer "
                              f"'{diagnosis.failed.name}' {diagnosis.failed.formula}. Start "
                              "again from valid_net and apply one fix.")
    if not diagnosis.matches:
        return Verdict(False, f"Its output is still {diagnosis.output_hw}. A target-side fix "
                              "leaves the model unchanged (it changes y instead); pick a fix "
                              "that changes the model.")
    if any(INVENTS in kind for kind in kinds):
        return Verdict(False, "The sizes match, but the padding layer invents its border "
                              "pixels (cost.pixels_invented). Pick the fix whose cost invents, "
                              "discards and interpolates nothing.")
    if any(word in kind for kind in kinds for word in INTERPOLATES):
        return Verdict(False, "The sizes match, but every pixel is resampled "
                              "(cost.interpolated). Pick the fix whose cost invents, discards "
                              "and interpolates nothing.")
    learned = [layer for layer in answer.layers if type(layer).__name__ in LEARNED]
    if learned:
        extra = sum(layer.count_params() for layer in learned)
        return Verdict(False, f"The sizes match and nothing is invented, but the appended "
                              f"{type(learned[0]).__name__} adds {extra:,} parameters that start "
                              "from random weights, to undo what two unpadded convolutions did. "
                              "An edit of those layers needs none: look for the fix with "
                              "side == 'model' and cost.params_delta == 0.")
    edited = [layer.name for layer in answer.layers
              if getattr(layer, "padding", None) == "same" and type(layer).__name__ == "Conv2D"]
    return Verdict(True, f"{TARGET[0]}x{TARGET[1]} with {answer.count_params():,} parameters, as "
                         f"many as before: padding='same' on {', '.join(edited)} keeps every size, "
                         "so each output pixel sits over its own target pixel, and every layer "
                         "kept its weights. The border pixels' windows read zeros (notebook 01): "
                         "train again before you trust it.")
