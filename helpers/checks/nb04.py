"""Checks for 04 · Crop and pad.

4.1 is a predict-then-reveal question on where CenterCrop puts an odd split; 4.2 builds
the learner's reflect-padding head and runs it; 4.3 runs the learner's masked loss.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import Verdict, exercise, not_a_model, said
from .prediction import question

__all__: list[str] = []

INNER, FULL, BORDER = 60, 64, 2   # 4.2, 4.3: a 60x60 prediction inside a 64x64 target


@question("4.1", "which rows survive a centre crop from 64 to 61")
def _odd_split(prediction: Any, truth: tuple[int, int]) -> Verdict:
    first, last = (int(v) for v in prediction)
    if (first, last) == tuple(truth):
        return Verdict(True, "One row goes at the top and two at the bottom: the odd pixel of a "
                             "centred split goes after (bottom/right), as in TensorFlow's 'same' "
                             "padding.")
    if (first, last) == (2, 62):
        return Verdict(False, "The odd row goes at the bottom, not the top: top = floor(3 / 2), "
                              "bottom = the rest.")
    return Verdict(False, "64 - 61 = 3 rows go: split them as evenly as you can, and decide "
                          "which side gets the odd one. Rows are numbered from 0.")


def _head_output(model: Any) -> tuple[np.ndarray, np.ndarray] | str:
    """The model's output on a fixed 60x60 image, and that image; or what Keras said."""
    x = np.random.default_rng(4).random((1, INNER, INNER, 3), dtype=np.float32)
    try:
        return np.asarray(model(x)), x
    except Exception as e:  # noqa: BLE001 - whatever Keras raises is the hint
        return said(e, 160)


@exercise("4.2", "pad a 60x60 output to 64x64 by reflection, in the model")
def _reflect_head(answer: Any) -> Verdict:
    if (wrong := not_a_model(answer, "keras.Input((60, 60, 3))")) is not None:
        return wrong
    ran = _head_output(answer)
    if isinstance(ran, str):
        return Verdict(False, f"Your model does not run on a 60x60x3 map ({ran}).")
    got, x = ran
    if got.shape[1:3] != (FULL, FULL):
        return Verdict(False, f"Your model gives {got.shape[1]}x{got.shape[2]}; 64 - 60 = 4 "
                              "pixels per axis, 2 on each side.")
    pad = ((0, 0), (BORDER, BORDER), (BORDER, BORDER), (0, 0))
    if np.allclose(got, np.pad(x, pad, mode="reflect"), atol=1e-6):
        return Verdict(True, "Reflection: the border mirrors the pixels next to it (row 0 copies "
                             "row 2 of the map, not row 0), and every real pixel keeps its place, "
                             "so output and target still correspond.")
    if np.allclose(got, np.pad(x, pad), atol=1e-6):
        return Verdict(False, "That is zero padding: a black frame the network can never fix. "
                              "keras.ops.pad(x, ..., mode=\"reflect\") mirrors instead.")
    if np.allclose(got, np.pad(x, pad, mode="symmetric"), atol=1e-6):
        return Verdict(False, "That is 'symmetric': it repeats the edge pixel itself. The "
                              "exercise asks for 'reflect', which mirrors around it.")
    if np.allclose(got[:, BORDER:-BORDER, BORDER:-BORDER], x, atol=1e-6):
        return Verdict(False, "The middle is right, but the border is not a reflection of the "
                              "pixels next to it: use mode=\"reflect\".")
    return Verdict(False, "The 60x60 map has moved or changed: a resize stretches it, so output "
                          "pixel i no longer sits over target pixel i. Pad 2 pixels on each side "
                          "and leave the middle alone.")


@exercise("4.3", "write a masked MSE that ignores the 2-pixel border")
def _masked_mse(answer: Any) -> Verdict:
    if not callable(answer):
        return Verdict(False, "Answer with a function: def masked_mse(y_true, y_pred): ...")
    rng = np.random.default_rng(5)
    y_true, y_pred = (rng.random((2, FULL, FULL, 3), dtype=np.float32) for _ in range(2))
    y_pred[:, :BORDER] = 7.0   # a border far off: a loss that looks at it is not masked
    inner = (slice(None), slice(BORDER, -BORDER), slice(BORDER, -BORDER))
    want = float(np.mean((y_true[inner] - y_pred[inner]) ** 2))
    got = np.asarray(answer(y_true, y_pred), dtype=np.float64)
    value = float(got.mean())
    if np.isclose(value, want, rtol=1e-4):
        return Verdict(True, "The mean squared error over the 60x60 window alone: the loss "
                             "neither sees the invented border nor dilutes the window's error "
                             "with it.")
    full = float(np.mean((y_true - y_pred) ** 2))
    if np.isclose(value, full, rtol=1e-4):
        return Verdict(False, "That is the plain MSE over all 64x64 pixels: the border counts.")
    if np.isclose(value, want * INNER ** 2 / FULL ** 2, rtol=1e-4):
        return Verdict(False, "The border is zeroed, but you divide by all 4096 pixels: the "
                              "window's error is diluted. Divide by the pixels the mask keeps.")
    corner = float(np.mean((y_true[:, :INNER, :INNER] - y_pred[:, :INNER, :INNER]) ** 2))
    if np.isclose(value, corner, rtol=1e-4):
        return Verdict(False, "That is the top-left 60x60 window; the prediction sits in the "
                              "middle, 2 pixels in from every edge.")
    return Verdict(False, "Average (y_true - y_pred) ** 2 over rows and columns 2 to 61 only "
                          "(all images and channels).")
