"""Checks for 05 · U-Net skip connections.

5.1 builds and runs the learner's skip crop on numbered maps; 5.2 is a predict-then-reveal
question on the label shapes each cross-entropy takes; 5.3 runs the learner's weighted
cross-entropy against the definition and in a real training step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import Verdict, exercise, said
from .prediction import question

__all__: list[str] = []

# 5.1: (kept map's H, W) -> (upsampled map's H, W), as in U-Nets on 75x75 and 75x61 inputs
SKIP_PAIRS = (((37, 37), (36, 36)), ((75, 75), (72, 72)), ((75, 61), (72, 60)),
              ((18, 18), (18, 18)))
LABELS = ("ids", "ids1", "one_hot")   # 5.2: (B, H, W), (B, H, W, 1), (B, H, W, classes)
LOSSES = ("sparse", "categorical")


def _numbered(hw: tuple[int, int], channels: int = 2) -> np.ndarray:
    """(1, H, W, channels) float32 with 1000 * row + column in every channel."""
    rows, cols = np.indices(hw)
    return np.repeat((1000.0 * rows + cols)[None, ..., None], channels, -1).astype("float32")


def _cropped(answer: Any, kept_hw: tuple, up_hw: tuple) -> np.ndarray | str:
    """The learner's crop built into a model on two keras.Inputs and run on a numbered
    map; or what went wrong."""
    import keras

    try:
        kept, up = keras.Input((*kept_hw, 2)), keras.Input((*up_hw, 8))
        model = keras.Model([kept, up], answer(kept, up))
        return np.asarray(model([_numbered(kept_hw), np.zeros((1, *up_hw, 8), "float32")]))
    except Exception as e:  # noqa: BLE001 - whatever Keras raises is the hint
        return said(e, 200)


@exercise("5.1", "crop a skip so its pixels line up with the upsampled map")
def _crop_skip(answer: Any) -> Verdict:
    if not callable(answer):
        return Verdict(False, "Answer with a function: def crop_skip(kept, up): ... that returns "
                              "the kept map cropped to up's height and width.")
    for kept_hw, up_hw in SKIP_PAIRS:
        got = _cropped(answer, kept_hw, up_hw)
        where = f"a {kept_hw[0]}x{kept_hw[1]} kept map and a {up_hw[0]}x{up_hw[1]} upsampled one"
        if isinstance(got, str):
            return Verdict(False, f"With {where} your function fails ({got}). Build it from Keras "
                                  "layers (or keras.ops) that work on keras.Input placeholders.")
        if got.shape[1:3] != up_hw:
            fixed = " The difference changes from level to level: compute it from " \
                    "kept.shape and up.shape." if kept_hw != (37, 37) else ""
            return Verdict(False, f"With {where} your function gives {got.shape[1]}x"
                                  f"{got.shape[2]}, not {up_hw[0]}x{up_hw[1]}.{fixed}")
        if got.shape[-1] != 2:
            return Verdict(False, f"Your function returns {got.shape[-1]} channels; the kept map "
                                  "has 2. Crop the kept map, do not return the upsampled one.")
        want = _numbered(kept_hw)[:, :up_hw[0], :up_hw[1]]
        if np.array_equal(got, want):
            continue
        first = float(got[0, 0, 0, 0])
        row, col = divmod(int(first), 1000)
        if first.is_integer() and (row, col) != (0, 0):
            return Verdict(False, f"With {where} your crop keeps rows from {row} and columns "
                                  f"from {col}, so pixel i of the decoder's map sits beside "
                                  f"pixel i + {row} of the skip. Pooling dropped the last rows and "
                                  "columns (floor): keep rows and columns from 0, crop at the "
                                  "bottom and right.")
        return Verdict(False, f"With {where} the kept map's values have changed: a resize blends "
                              "neighbouring pixels. Crop whole rows and columns instead.")
    return Verdict(True, "The kept map loses the rows and columns that pooling dropped (floor "
                         "division throws away the bottom/right), so pixel i of the skip sits "
                         "beside pixel i of the upsampled map at every level.")


@question("5.2", "which label shapes each cross-entropy takes for logits of shape B, H, W, 4")
def _label_shapes(prediction: Any, truth: dict[str, list[str]]) -> Verdict:
    try:
        guess = {loss: sorted(set(prediction[loss])) for loss in LOSSES}
    except (KeyError, TypeError):
        return Verdict(False, f'Predict a dict with the keys {list(LOSSES)}, each a list of the '
                              f'label names {list(LABELS)} you expect it to take.')
    truth = {loss: sorted(truth[loss]) for loss in LOSSES}
    if guess == truth:
        return Verdict(True, "Sparse cross-entropy takes one class id per pixel, with or without "
                             "a trailing axis of 1; categorical cross-entropy takes one-hot "
                             "targets, exactly the logits' shape. Each refuses the other's.")
    if "ids1" in guess["categorical"]:
        return Verdict(False, "Categorical cross-entropy needs a probability for every class at "
                              "every pixel: (B, H, W, 4). A (B, H, W, 1) mask has the right rank "
                              "and the wrong last axis.")
    if "ids1" not in guess["sparse"]:
        return Verdict(False, "Sparse cross-entropy drops a trailing axis of 1: (B, H, W, 1) ids "
                              "work as well as (B, H, W).")
    return Verdict(False, "Sparse means one class id per pixel; categorical means a one-hot "
                          "vector per pixel, shaped like the logits.")


def _reference(weights: np.ndarray, ids: np.ndarray, logits: np.ndarray) -> tuple[float, ...]:
    """(weighted mean, weighted average, plain mean, weights by the predicted class, inverse
    weights, summed) of the per-pixel cross-entropy."""
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    ce = -np.take_along_axis(logp, ids[..., None], -1)[..., 0]
    w = weights[ids]
    return (float((w * ce).mean()), float((w * ce).sum() / w.sum()), float(ce.mean()),
            float((weights[logits.argmax(-1)] * ce).mean()), float((ce / w).mean()),
            float((w * ce).sum()))


def _one_step(loss: Any) -> str | None:
    """None if a real training step with `loss` runs; else what Keras said."""
    import keras

    try:
        keras.utils.set_random_seed(0)
        inputs = keras.Input((8, 8, 3))
        model = keras.Model(inputs, keras.layers.Conv2D(4, 1)(inputs))
        model.compile(keras.optimizers.Adam(1e-3), loss)
        x = np.random.default_rng(1).random((4, 8, 8, 3), dtype=np.float32)
        y = np.random.default_rng(2).integers(0, 4, (4, 8, 8)).astype("int32")
        value = float(np.asarray(model.train_on_batch(x, y)).ravel()[0])
        return None if np.isfinite(value) else f"the loss was {value}"
    except Exception as e:  # noqa: BLE001 - whatever Keras raises is the hint
        return said(e, 200)


@exercise("5.3", "write a class-weighted cross-entropy for integer masks")
def _weighted_ce(answer: Any) -> Verdict:
    if not callable(answer):
        return Verdict(False, "Answer with a function: def weighted_ce(weights): ... that "
                              "returns a loss(y_true, logits).")
    weights = np.array([0.25, 1.0, 3.0, 1.5], "float32")
    rng = np.random.default_rng(6)
    ids = rng.integers(0, 4, (2, 8, 8)).astype("int32")
    logits = (2 * rng.normal(size=(2, 8, 8, 4))).astype("float32")
    try:
        loss = answer(weights)
        value = float(np.asarray(loss(ids, logits), dtype=np.float64).mean())
    except Exception as e:  # noqa: BLE001 - whatever the learner's code raises is the hint
        return Verdict(False, f"weighted_ce(weights)(ids, logits) fails: {said(e, 199)}")
    mean, average, plain, predicted, inverse, summed = _reference(weights, ids, logits)
    hints = [(plain, "That is the plain cross-entropy: every pixel counts the same, so the "
                     "background, three quarters of them, still wins."),
             (predicted, "The weights follow the predicted class; they must follow the true "
                         "class (y_true), or the network can change its weight by changing "
                         "its guess."),
             (inverse, "You divide by the weights: they already are inverse frequencies. "
                       "Multiply each pixel's cross-entropy by its true class's weight."),
             (summed, "That is a sum: it grows with the batch and image size. Take the mean.")]
    if not (np.isclose(value, mean, rtol=1e-4) or np.isclose(value, average, rtol=1e-4)):
        for wrong, hint in hints:
            if np.isclose(value, wrong, rtol=1e-4):
                return Verdict(False, hint)
        return Verdict(False, "Per pixel: the cross-entropy of the logits (from_logits=True) with "
                              "the true class, times that class's weight; then the mean over "
                              "all pixels.")
    if (failed := _one_step(loss)) is not None:
        return Verdict(False, f"The values are right, but a training step with your loss fails "
                              f"({failed}): inside fit the arguments are tensors, so use "
                              "keras.ops (keras.ops.take) rather than numpy.")
    kind = "the mean of the weighted pixels, as Keras applies sample weights" \
        if np.isclose(value, mean, rtol=1e-4) else \
        "the weighted average (divided by the weights' sum, as PyTorch does)"
    return Verdict(True, f"A pixel of a rare class now costs as much as its rarity: {kind}. "
                         "It trains in a real step.")
