"""Checks for 05 · U-Net skip connections."""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.shapes import (
    Conv2DTranspose,
    ShapeError,
    pad_to_valid,
    unet_plan,
    unet_specs,
    valid_input_sizes,
)

from .core import Verdict, exercise

__all__: list[str] = []

SIZE = 75             # every exercise: the 75x75 shapes images
EXPLORER_DEPTH = 3    # exercise 5.1
PAD_DEPTH = 3         # exercise 5.2
OP_DEPTH = 3          # exercise 5.3: the deepest up-step of this U-Net with "same" pooling


def _whole_number(answer: Any) -> int | None:
    """The answer as an int, or None if it is not a whole number (bools excluded)."""
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
        return None
    return int(answer)


def _smallest_valid(depth: int, size: int) -> int:
    """The smallest square size >= size that a plain U-Net of this depth takes."""
    return valid_input_sizes(unet_specs(depth), size, size + 2 ** depth)[0]


@exercise("5.1", f"the smallest size from {SIZE} that a depth-{EXPLORER_DEPTH} U-Net takes")
def _explorer(answer: Any) -> Verdict:
    value = getattr(answer, "value", answer)
    if not isinstance(value, dict) or "works" not in value or "cure" not in value:
        return Verdict(False, "Pass the U-Net explorer itself (answer = explorer).")
    want = _smallest_valid(EXPLORER_DEPTH, SIZE)
    if value["depth"] != EXPLORER_DEPTH:
        return Verdict(False, f"Set the depth to {EXPLORER_DEPTH} (the explorer shows depth "
                              f"{value['depth']}).")
    if value["cure"] != "none":
        return Verdict(False, "Set the cure to 'none': the exercise asks for a size that works "
                              "without any cure.")
    size = value["size"]
    if size < SIZE:
        return Verdict(False, f"{size} is smaller than {SIZE}: you would have to throw image "
                              f"pixels away. Look for a size of at least {SIZE}.")
    if not value["works"]:
        return Verdict(False, f"{size} does not survive {EXPLORER_DEPTH} poolings: one of them "
                              "drops a pixel. Which sizes halve exactly "
                              f"{EXPLORER_DEPTH} times? The strip under the picture lists them.")
    if size != want:
        return Verdict(False, f"{size} works, but a smaller size of at least {SIZE} works too; "
                              "the smaller the size, the fewer zeros you add.")
    return Verdict(True, f"{size} = {size // 2 ** EXPLORER_DEPTH} x 2^{EXPLORER_DEPTH}: every "
                         "pooling halves it exactly, so every skip fits.")


@exercise("5.2", f"the rows of zeros that pad a {SIZE}x{SIZE} input for depth {PAD_DEPTH}")
def _pad_rows(answer: Any) -> Verdict:
    plan = pad_to_valid((SIZE, SIZE), unet_specs(PAD_DEPTH))
    padded, want = plan.padded_hw[0], sum(plan.padding[0])
    rows = _whole_number(answer)
    if rows is None:
        return Verdict(False, "Answer with one whole number: the rows added, top and bottom "
                              "together.")
    if rows == want:
        return Verdict(True, f"{SIZE} + {want} = {padded}, the next multiple of "
                             f"2^{PAD_DEPTH} = {2 ** PAD_DEPTH}; pad_to_valid puts "
                             f"{plan.padding[0][0]} on top and {plan.padding[0][1]} at the "
                             "bottom (the odd one last, like TensorFlow).")
    if rows == padded:
        return Verdict(False, f"{padded} is the padded size; how many rows did you add to "
                              f"{SIZE} to get there?")
    if rows == sum(pad_to_valid((SIZE, SIZE), unet_specs(PAD_DEPTH - 1)).padding[0]):
        return Verdict(False, f"That is enough for depth {PAD_DEPTH - 1}. With {PAD_DEPTH} "
                              f"poolings the size must be a multiple of 2^{PAD_DEPTH}.")
    return Verdict(False, f"Find the first size from {SIZE} up that {PAD_DEPTH} poolings halve "
                          f"exactly (a multiple of 2^{PAD_DEPTH}), then subtract {SIZE}.")


def _op_sizes() -> tuple[int, int]:
    """(bottom, skip): the deepest map and the skip it must land on, with "same" pooling."""
    plan = unet_plan(OP_DEPTH, SIZE, "output_padding")
    return plan.bottom, plan.downs[-1]


@exercise("5.3", "the Conv2DTranspose that lands on an odd skip")
def _output_padding(answer: Any) -> Verdict:
    bottom, skip = _op_sizes()
    if not isinstance(answer, Conv2DTranspose):
        return Verdict(False, "Answer with a layer spec: shapes.Conv2DTranspose(32, 2, "
                              "strides=2, padding=..., output_padding=...).")
    if answer.kernel_size not in (2, (2, 2)) or answer.strides not in (2, (2, 2)):
        return Verdict(False, "Keep kernel_size=2 and strides=2 (the U-Net's up-step); choose "
                              "padding and output_padding.")
    try:
        out = answer.output_shape((bottom, bottom, 64))[0]
    except ShapeError:
        return Verdict(False, f"Keras accepts that layer on paper, but TensorFlow fails when it "
                              f"runs on {bottom}x{bottom}: not every output_padding is "
                              f"realisable. shapes.deconv_paddings({bottom}, 2, 2, 'same') "
                              "lists the values that run and the sizes they give.")
    if out == skip:
        return Verdict(True, f"{answer.formula((bottom, bottom, 64))}: the map lands on the "
                             f"{skip}x{skip} skip, one pixel short of 2 x {bottom}.")
    if out == 2 * bottom:
        return Verdict(False, f"{out} = 2 x {bottom}: that is what the layer gives without "
                              f"output_padding. The skip is {skip}, one pixel fewer; with "
                              "padding='same', which output_padding takes one pixel off?")
    return Verdict(False, f"Your layer gives {out}x{out}; the skip is {skip}x{skip}. With "
                          "padding='valid' a 2x2 kernel gives at least 2n; try padding='same', "
                          f"and let shapes.deconv_paddings({bottom}, 2, 2, 'same') list the "
                          "output_padding values that run.")
