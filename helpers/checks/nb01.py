"""Checks for 01 · Same padding."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.shapes import Conv2D, dilated, receptive_field, same_padding

from .core import Verdict, exercise

__all__: list[str] = []

STACKED = 10          # exercise 1.2: how many 3x3 stride-1 layers
REACH = 15            # exercise 1.3: the receptive field to reach with three layers
SHOWN = [1, 2, 4]     # exercise 1.3: the rates the notebook already shows


def _whole_numbers(answer: Any, count: int) -> list[int] | None:
    """The answer as a list of `count` whole numbers, or None if it is not one."""
    if not isinstance(answer, (tuple, list)) or len(answer) != count:
        return None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in answer):
        return None
    return [int(v) for v in answer]


@exercise("1.1", "the zeros 'same' adds for an even kernel")
def _even_kernel(answer: Any) -> Verdict:
    expected = same_padding(64, 4, stride=1)
    pair = _whole_numbers(answer, 2)
    if pair is None:
        return Verdict(False, "Answer with a tuple of two whole numbers of pixels: "
                              "(zeros before, zeros after), e.g. (0, 0).")
    total = dilated(4) - 1
    if tuple(pair) == expected:
        return Verdict(True, f"A 4-wide window needs {total} extra pixels to fit at every "
                             f"position; {total} is odd, so TensorFlow puts {expected[0]} "
                             f"before (top/left) and {expected[1]} after (bottom/right). "
                             "The output is shifted by half a pixel: prefer odd kernels.")
    if tuple(pair) == expected[::-1]:
        return Verdict(False, "The total is right, the sides are swapped: TensorFlow puts the "
                              "odd zero after (bottom/right), not before.")
    if sum(pair) != total:
        return Verdict(False, f"Your zeros add up to {sum(pair)}. At stride 1 the window of "
                              f"k pixels must fit at all n positions: how many extra pixels "
                              f"does that take, in total?")
    return Verdict(False, "The total is right; split it as evenly as whole pixels allow.")


@exercise("1.2", f"receptive field of {STACKED} stacked 3x3 layers")
def _stacked(answer: Any) -> Verdict:
    rf = receptive_field([Conv2D(8, 3, padding="same")] * STACKED, (64, 64, 1))
    expected = rf[-1].size[0]
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        return Verdict(False, "Answer with one whole number: the receptive field's width "
                              "in pixels.")
    if answer == expected:
        return Verdict(True, f"1 + {STACKED} x (3 - 1) = {expected}: each stride-1 layer "
                             "adds only k - 1 = 2 pixels, one on each side.")
    if answer == expected - 1:
        return Verdict(False, "Close: start from the output pixel itself (1), then add what "
                              "each layer adds.")
    if answer == 3 * STACKED:
        return Verdict(False, "Windows overlap: a second 3x3 layer does not add 3 new pixels. "
                              "How many new pixels does each layer add, one per side?")
    return Verdict(False, "Count for 1, 2 and 3 layers (3, 5, 7: the table of section 6) "
                          "and find the rule.")


def _reads(rates: list[int]) -> np.ndarray:
    """Along one axis, how many paths reach each input offset (0 = never read)."""
    taps = np.ones(1, dtype=np.int64)
    for d in rates:
        kernel = np.zeros(2 * d + 1, dtype=np.int64)
        kernel[[0, d, 2 * d]] = 1
        taps = np.convolve(taps, kernel)
    return taps


@exercise("1.3", f"three dilation rates that see {REACH} pixels without holes")
def _rates(answer: Any) -> Verdict:
    rates = _whole_numbers(answer, 3)
    if rates is None or min(rates) < 1:
        return Verdict(False, "Answer with a list of three whole numbers >= 1, one "
                              "dilation_rate per 3x3 layer, e.g. [1, 1, 1].")
    if sorted(rates) == SHOWN:
        return Verdict(False, f"{SHOWN} (in any order) is the doubling the notebook shows; "
                              "find another set that reaches as far without holes.")
    layers = [Conv2D(8, 3, padding="same", dilation_rate=d) for d in rates]
    size = receptive_field(layers, (64, 64, 1))[-1].size[0]
    holes = int(np.sum(_reads(rates) == 0))
    if size < REACH:
        return Verdict(False, f"Your rates reach {size} pixels, fewer than {REACH}. Layer "
                              "after layer the field grows by 2 x dilation_rate: raise a "
                              "rate.")
    if holes:
        return Verdict(False, f"Your rates reach {size} pixels but never read {holes} of "
                              "them (holes, 'gridding'). A layer with rate d reads pixels d "
                              "apart; the smaller rates must together already see at least d "
                              "pixels to fill those gaps (sort your rates and check each one "
                              "against the field of the ones before it).")
    return Verdict(True, f"{rates} reach {size} pixels with every pixel read: "
                         f"1 + 2 x ({' + '.join(map(str, rates))}) = {size}.")
