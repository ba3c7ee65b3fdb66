"""Checks for 03 · Downsampling the target."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.data import IMAGE_METHODS, MASK_METHODS
from helpers.shapes import ShapeError, conv_out, pool_out

from .core import Verdict, exercise

__all__: list[str] = []

TARGET = 64           # exercise 3.1: the target's spatial size
STAGES = 2            # exercise 3.1: stride-2 "same" convolutions in the encoder
FACTOR = 4            # exercise 3.2: the downsampling factor


def _whole_number(answer: Any) -> int | None:
    """The answer as an int, or None if it is not a whole number (bools excluded)."""
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        return None
    return int(answer)


def _encoder_out(n: int, stages: int) -> int:
    """Spatial size after `stages` Conv2D(kernel 3, stride 2, padding="same") layers."""
    for _ in range(stages):
        n = conv_out(n, 3, stride=2, padding="same")
    return n


@exercise("3.1", f"the pooling that takes a {TARGET}x{TARGET} target to the encoder's output")
def _pool_factor(answer: Any) -> Verdict:
    want = _encoder_out(TARGET, STAGES)
    pool = _whole_number(answer)
    if pool is None:
        return Verdict(False, "Answer with one whole number: the pool_size p of "
                              "AveragePooling2D(p), whose strides default to p.")
    if pool == want:
        return Verdict(False, f"{want} is the size the target must reach, not the pool size. "
                              f"Which p gives pool_out({TARGET}, p) = {want}?")
    try:
        got = pool_out(TARGET, pool)
    except ShapeError as e:
        return Verdict(False, f"That pool cannot run on {TARGET} pixels: {e}")
    if got == want:
        return Verdict(True, f"pool_out({TARGET}, {pool}) = floor(({TARGET} - {pool}) / {pool}) "
                             f"+ 1 = {got}: each of the {STAGES} stride-2 layers halves the "
                             f"size, so the target shrinks by 2 x 2 = {pool}.")
    return Verdict(False, f"pool_out({TARGET}, {pool}) = {got}, not {want}. The encoder has "
                          f"{STAGES} stride-2 layers; by how much does each one shrink the "
                          "size, and what does that make in total?")


@exercise("3.2", f"target pixels behind one output pixel at factor {FACTOR}")
def _pixels_per_output(answer: Any) -> Verdict:
    expected = FACTOR * FACTOR
    count = _whole_number(answer)
    if count is None:
        return Verdict(False, "Answer with one whole number of target pixels.")
    if count == expected:
        return Verdict(True, f"{FACTOR} rows x {FACTOR} columns = {expected} target pixels "
                             "become one number: the loss can no longer tell them apart.")
    if count == FACTOR:
        return Verdict(False, f"{FACTOR} is the factor along one axis. The block covers "
                              f"{FACTOR} pixels along H and {FACTOR} along W: how many in all?")
    return Verdict(False, f"Picture one output pixel's block in the target: the factor along "
                          f"H ({FACTOR}) times the factor along W ({FACTOR}).")


@exercise("3.3", "the downsample method for a class mask")
def _mask_method(answer: Any) -> Verdict:
    if not isinstance(answer, str):
        return Verdict(False, "Answer with the method's name as a string, e.g. 'area'.")
    method = answer.strip().lower()
    if method in MASK_METHODS:
        other = [m for m in MASK_METHODS if m != method][0]
        return Verdict(True, f"'{method}' only ever outputs a class id that is in the block, "
                             f"and so would '{other}'. 'mode' votes for each block's majority "
                             "(smooth borders, leaning towards the big classes); 'nearest' keeps "
                             "one real pixel (fair shares, but thin parts can vanish).")
    if method in ("area", "average", "mean"):
        return Verdict(False, "An average of class ids is a number between them: a block of "
                              "background (0) and square (2) averages to 1, a circle that is "
                              "not there. Pick a method that returns one of the ids present.")
    if method == "max":
        return Verdict(False, "'max' returns an id that is present, but always the largest "
                              "one: triangles (3) win every border block, so they grow and "
                              "the background shrinks. Pick a method that does not favour "
                              "one class.")
    if method in ("bilinear", "bicubic", "lanczos3", "lanczos5", "resize"):
        return Verdict(False, "Interpolation computes values between class ids, so it invents "
                              "classes at every border (section 4 counted them). Pick a "
                              "method of helpers.data.downsample that keeps whole ids.")
    return Verdict(False, f"downsample knows {list(IMAGE_METHODS + MASK_METHODS)}; which of "
                          "them returns a class id that is really in each block?")
