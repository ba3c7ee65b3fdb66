"""Checks for 04 · Crop and pad."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.fixes import suggest
from helpers.fixes.strategies import CROP_TARGET, PAD_OUTPUT

from .core import Verdict, exercise

__all__: list[str] = []

OUTPUT, TARGET = (61, 61), (64, 64)   # exercise 4.1: the explorer's sizes
UNET_OUT = (56, 56)                   # exercise 4.2: an unpadded U-Net's output for 64x64
PAD_INPUT = (64, 64, 3)               # exercise 4.3: the input of crop_pad_net(mode="pad")


@exercise("4.1", f"pad a {OUTPUT[0]}x{OUTPUT[1]} output with zeros, all at the bottom/right")
def _pad_at_the_end(answer: Any) -> Verdict:
    value = getattr(answer, "value", answer)
    if not isinstance(value, dict) or "edges" not in value:
        return Verdict(False, "Pass the crop/pad explorer itself (the widget you set).")
    sizes = (value["output_h"], value["output_w"]), (value["target_h"], value["target_w"])
    if sizes != (OUTPUT, TARGET):
        return Verdict(False, f"Keep the output at {OUTPUT[0]}x{OUTPUT[1]} and the target at "
                              f"{TARGET[0]}x{TARGET[1]} (you have {sizes[0]} and {sizes[1]}).")
    if (value["mode"], value.get("fill")) != (PAD_OUTPUT.name, "zeros"):
        return Verdict(False, f"The mode is '{value['mode']}' with fill '{value.get('fill')}'; "
                              f"the exercise pads the output with zeros ('{PAD_OUTPUT.label}', "
                              "fill 'zeros').")
    if value["edges"] is None:
        return Verdict(False, f"The explorer shows a message instead of a layer: "
                              f"{value.get('error', '')} Move the offsets back into range.")
    gap = TARGET[0] - OUTPUT[0], TARGET[1] - OUTPUT[1]
    if value["edges"] == ((0, gap[0]), (0, gap[1])):
        return Verdict(True, f"{value['layer']}: the output keeps its top-left corner and "
                             f"the {gap[0]} extra rows and columns go to the bottom and right. "
                             "Only do this when the output really is aligned with the "
                             "target's top-left corner, as after floor pooling.")
    (top, bottom), (left, right) = value["edges"]
    return Verdict(False, f"Your padding is top {top}, bottom {bottom}, left {left}, right "
                          f"{right}. The top and left offsets are the rows and columns added "
                          "before the output: how many must come before it to keep it in "
                          "the corner?")


@exercise("4.2", f"target pixels lost by cropping 64x64 targets to {UNET_OUT[0]}x{UNET_OUT[1]}")
def _pixels_lost(answer: Any) -> Verdict:
    fix = next(f for f in suggest(UNET_OUT, TARGET) if f.strategy == CROP_TARGET.name)
    lost, total = fix.cost.target_pixels_lost, TARGET[0] * TARGET[1]
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        return Verdict(False, "Answer with one whole number of target pixels.")
    if answer == lost:
        return Verdict(True, f"{TARGET[0]}^2 - {UNET_OUT[0]}^2 = {lost} pixels, "
                             f"{lost / total:.0%} of every target: a 4-pixel frame is a big "
                             "share of a small image.")
    if answer == TARGET[0] - UNET_OUT[0] or answer == (TARGET[0] - UNET_OUT[0]) // 2:
        return Verdict(False, "That is the difference along one axis, or on one side. Count "
                              "pixels: all the target's pixels minus the ones the output covers.")
    if answer == (TARGET[0] - UNET_OUT[0]) * TARGET[0]:
        return Verdict(False, "That counts the rows you remove but not the columns. Count all "
                              "target pixels minus the ones that stay.")
    return Verdict(False, "Target pixels minus the pixels the output covers: fixes.suggest("
                          "(56, 56), (64, 64)) shows the crop's cost if you want to check.")


@exercise("4.3", "the Cropping2D that matches the padded model's prediction")
def _crop_where_predicted(answer: Any) -> Verdict:
    from helpers.models import crop_pad_net, valid_mask

    cropping = getattr(answer, "cropping", None)
    if type(answer).__name__ != "Cropping2D" or cropping is None:
        return Verdict(False, "Answer with a layer, keras.layers.Cropping2D(((top, bottom), "
                              "(left, right))).")
    mask = valid_mask(crop_pad_net(PAD_INPUT, mode="pad"))
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    want = ((int(rows[0]), mask.shape[0] - 1 - int(rows[-1])),
            (int(cols[0]), mask.shape[1] - 1 - int(cols[-1])))
    got = tuple(tuple(int(v) for v in pair) for pair in cropping)
    if got == want:
        return Verdict(True, f"Cropping2D({want}) keeps rows and columns {want[0][0]} to "
                             f"{mask.shape[0] - 1 - want[0][1]}: exactly where valid_mask is 1, "
                             "so MSE on the cropped targets equals the masked loss.")
    if sum(got[0]) + sum(got[1]) == sum(want[0]) + sum(want[1]) and got[0][0] == 0:
        return Verdict(False, "That keeps the top-left window (like models.crop_targets), but "
                              "the model's ZeroPadding2D put its prediction in the middle. Look "
                              "at where valid_mask(padded_net) is 1.")
    return Verdict(False, f"Your crop keeps a {PAD_INPUT[0] - sum(got[0])}x"
                          f"{PAD_INPUT[1] - sum(got[1])} window. The model predicts "
                          f"{len(rows)}x{len(cols)} pixels: find the "
                          "first and last rows where valid_mask(padded_net) is 1.")
