"""Checks for 03 · Downsampling the target.

3.1 and 3.3 run the learner's target transform on arrays (images, then class masks);
3.2 is a predict-then-reveal question on resizing a mask as if it were an image.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import Verdict, exercise
from .prediction import question

__all__: list[str] = []

F = 4  # 64x64 targets -> the encoder's 16x16


def _blocks(y: np.ndarray) -> np.ndarray:
    """(N, 64, 64, ...) -> (N, 16, 4, 16, 4, ...): each output pixel's 4x4 block."""
    n, h, w = y.shape[:3]
    return y.reshape(n, h // F, F, w // F, F, *y.shape[3:])


def _sampled(got: np.ndarray, y: np.ndarray) -> bool:
    """Is `got` one pixel of each 4x4 block of `y`, at the same place in every block?"""
    return any(got.shape == y[:, a::F, b::F].shape and np.allclose(got, y[:, a::F, b::F])
               for a in range(F) for b in range(F))


def _result(fn: Any, y: np.ndarray) -> np.ndarray:
    if not callable(fn):
        raise TypeError("answer with a function, e.g. def shrink(y): ... then answer = shrink")
    return np.asarray(fn(y.copy()))


@exercise("3.1", "shrink image targets so output pixel i corresponds to target pixel i")
def _shrink_images(answer: Any) -> Verdict:
    from helpers.data import downsample

    y = np.random.default_rng(3).random((3, 64, 64, 3), dtype=np.float32)
    got = _result(answer, y)
    mean = downsample(y, F, "area")
    if got.shape != mean.shape:
        return Verdict(False, f"Your function gives shape {got.shape}; the encoder's output is "
                              f"{mean.shape}: (N, 16, 16, 3).")
    if np.allclose(got, mean, atol=1e-5):
        return Verdict(True, "Each output pixel's target is the mean of the 4x4 block its window "
                             "covers: the single value with the smallest squared error to it.")
    if np.allclose(got, y[:, 24:40, 24:40]):
        return Verdict(False, "That is the centre of the target, but output pixel i reads around "
                              "input pixel 4i of the whole image (section 1's picture): a crop "
                              "compares it with a pixel far away. Shrink the whole target.")
    if _sampled(got, y):
        return Verdict(False, "Taking every 4th pixel lines up, but keeps 1 pixel of 16 and "
                              "drops the rest (fine detail then aliases). Average each block.")
    if np.allclose(got, downsample(y, F, "max")):
        return Verdict(False, "The block maximum keeps the brightest pixel of each block, so the "
                              "whole target gets brighter. Use the block's mean.")
    import keras

    for antialias in (False, True):
        resized = keras.ops.image.resize(y, (16, 16), "bilinear", antialias=antialias)
        if np.allclose(got, keras.ops.convert_to_numpy(resized), atol=1e-5):
            return Verdict(False, "Close, but not the block mean: a bilinear resize reads only "
                                  "the pixels near each sample point (antialiased, it blends in "
                                  "the neighbouring blocks). Average exactly the 4x4 block.")
    return Verdict(False, "Each of the 16x16 pixels should be the mean of its own 4x4 block of "
                          "the target (keras.layers.AveragePooling2D(4), or a reshape and mean).")


@question("3.2", "the class ids a bilinear resize of a {0, 3} mask produces")
def _resized_ids(prediction: Any, truth: list[int]) -> Verdict:
    guess = sorted({int(v) for v in prediction})
    if guess == sorted(truth):
        return Verdict(True, "At the border between background (0) and triangle (3), bilinear "
                             "resizing blends the two: 0.75 rounds to 1 (circle), 1.5 to 2 "
                             "(square). Class ids are names, not amounts.")
    if guess == [0, 3]:
        return Verdict(False, "Rounding makes whole numbers again, but not the right ones: between "
                              "0 and 3 a blend passes through 1 and 2, classes that are not there.")
    return Verdict(False, "Bilinear resizing computes weighted means of neighbouring ids: think "
                          "of the values between 0 and 3 that a border pixel can get, then round.")


@exercise("3.3", "shrink class masks without inventing class ids")
def _shrink_masks(answer: Any) -> Verdict:
    from helpers.data import downsample, load_shapes

    masks = load_shapes("test", 64)[1][:32]
    got = _result(answer, masks)
    if got.shape != (len(masks), 16, 16):
        return Verdict(False, f"Your function gives shape {got.shape}; want (N, 16, 16), one class "
                              "id per output pixel.")
    if not np.issubdtype(got.dtype, np.integer):
        return Verdict(False, f"Your masks are {got.dtype}: class ids are whole numbers (names), "
                              "not amounts. Pick a class per block instead of averaging ids.")
    blocks = _blocks(masks)
    invented = int((blocks != got[:, :, None, :, None]).all(axis=(2, 4)).sum())
    if invented:
        return Verdict(False, f"{invented} pixels carry a class found nowhere in their 4x4 block: "
                              "an average or interpolation of ids invents classes. Pick a class "
                              "that is in the block.")
    mode = downsample(masks, F, "mode")
    if np.array_equal(got, mode):
        return Verdict(True, "Each output pixel takes its block's majority class: no id is "
                             "invented and no class is favoured at the borders.")
    if _sampled(got, masks):
        return Verdict(True, "One real pixel of each block: no id is invented. The majority "
                             "(mode) is steadier: a thin shape can fall between the samples.")
    if np.array_equal(got, downsample(masks, F, "max")):
        return Verdict(False, "The largest id invents nothing, but wins every border block: "
                              "triangles (3) grow and the background shrinks. Take the block's "
                              "majority class.")
    return Verdict(False, f"No id is invented, but {np.mean(got != mode):.0%} of the pixels "
                          "differ from their block's majority class. Count each class in the "
                          "block and take the most frequent.")
