"""Checks for 02 · Upsampling the output."""

from __future__ import annotations

from typing import Any

from helpers.bridge import error_text, keras_layer
from helpers.shapes import Conv2DTranspose, ShapeError, conv_out, deconv_out, overlap, pair

from .core import Verdict, exercise

__all__: list[str] = []

START, GOAL = 38, 75  # exercise 2.3: from the encoder's 38x38 back to the 75x75 input


@exercise("2.1", "predict a Conv2DTranspose's output size")
def _predict(answer: Any) -> Verdict:
    expected = deconv_out(19, 3, stride=2, padding="valid")
    if isinstance(answer, bool) or not isinstance(answer, int):
        return Verdict(False, f"Answer with an int (you gave {type(answer).__name__}).")
    if answer == expected:
        return Verdict(True, f"19 * 2 + max(3 - 2, 0) = {expected}: every input pixel paints a "
                             "3-wide patch 2 apart, and 'valid' keeps the last patch's overhang.")
    if answer == deconv_out(19, 3, stride=2, padding="same"):
        return Verdict(False, "That is the 'same' answer, n * s. With padding='valid' nothing is "
                              "cropped: the last patch sticks out beyond n * s by max(k - s, 0).")
    if answer == conv_out(19, 3, stride=2):
        return Verdict(False, "That is what a forward Conv2D would give (it shrinks). A "
                              "transposed convolution grows the map: about n * s.")
    return Verdict(False, "Use o = n * s + max(k - s, 0) for padding='valid' with "
                          "output_padding=None, here n = 19, k = 3, s = 2.")


@exercise("2.2", "set the transpose explorer to double 16 with no checkerboard")
def _no_checkerboard(answer: Any) -> Verdict:
    value = getattr(answer, "value", answer)
    if not isinstance(value, dict) or "output" not in value or "kernel" not in value:
        return Verdict(False, "Pass the transpose explorer itself (answer = explorer).")
    n, k, s, out = value["n"], value["kernel"], value["stride"], value["output"]
    if n != 16 or s != 2:
        return Verdict(False, f"Keep the input size at 16 and strides at 2 (you have {n} and "
                              f"{s}); change kernel_size, padding and output_padding.")
    if out != 2 * n:
        shown = "an error" if out is None else f"{out}x{out}"
        return Verdict(False, f"The explorer shows {shown}, not {2 * n}x{2 * n}. Read its formula; "
                              "with padding='same' and output_padding=None the output is n * s.")
    if not overlap(16, k, s).even:
        return Verdict(False, f"{2 * n}x{2 * n}, but kernel {k} with stride {s} overlaps unevenly "
                              "(look at the map: the counts alternate). Which kernel sizes give "
                              "every inner pixel the same count?")
    return Verdict(True, f"kernel {k} is a multiple of stride {s}: every inner output pixel is "
                         f"painted by the same number of patches ({(k // s) ** 2}), so a constant "
                         "input gives a constant output.")


def _spec_text(spec: Conv2DTranspose) -> str:
    return (f"kernel_size={spec.kernel_size}, strides={spec.strides}, padding={spec.padding!r}, "
            f"output_padding={spec.output_padding}")


def _runs_in_keras(spec: Conv2DTranspose) -> tuple[int, int] | str:
    """(H, W) the real Keras layer gives on a 38x38 input, or TensorFlow's complaint."""
    import numpy as np

    try:
        out = keras_layer(spec)(np.zeros((1, START, START, 1), "float32"))
    except Exception as e:  # noqa: BLE001 - whatever TensorFlow raises is the feedback
        text = error_text(e).splitlines()
        return f"{type(e).__name__}: {text[0] if text else ''}"[:200]
    return tuple(int(v) for v in out.shape[1:3])


@exercise("2.3", "land on 75 from 38 with one checkerboard-free Conv2DTranspose")
def _land(answer: Any) -> Verdict:
    if not isinstance(answer, Conv2DTranspose):
        return Verdict(False, "Answer with a layer spec, e.g. shapes.Conv2DTranspose(3, "
                              "kernel_size=..., strides=..., padding=..., output_padding=...).")
    if pair("strides", answer.strides) != (2, 2):
        return Verdict(False, f"The exercise fixes strides=2 (you used {answer.strides}): the "
                              "decoder undoes one stride-2 encoder stage.")
    try:
        out = answer.output_shape((START, START, 16))[:2]
    except ShapeError as e:
        why = str(e).split(" Use output_padding")[0]  # keep the reason, not the fix
        return Verdict(False, f"The shape engine refuses it, so TensorFlow would fail: {why} "
                              "shapes.deconv_paddings lists the output_padding values that run.")
    if out != (GOAL, GOAL):
        near = " (that is 2 x 38; output_padding can pick the other size that maps back to 38)" \
            if out == (2 * START, 2 * START) else ""
        return Verdict(False, f"Your layer gives {out[0]}x{out[1]}{near}, not {GOAL}x{GOAL}. "
                              "shapes.deconv_paddings(38, kernel, stride=2, padding=...) lists "
                              "the sizes each output_padding gives.")
    kernels, strides = pair("kernel_size", answer.kernel_size), pair("strides", answer.strides)
    uneven = [f"kernel {k} with stride {s}" for k, s in zip(kernels, strides) if k % s]
    if uneven:
        return Verdict(False, f"{GOAL}x{GOAL}, but {uneven[0]} overlaps unevenly (checkerboard). "
                              "Choose a kernel the stride divides; output_padding then does the "
                              "landing.")
    ran = _runs_in_keras(answer)
    if ran != (GOAL, GOAL):
        return Verdict(False, f"The shape engine says {GOAL}x{GOAL}, but Keras gave {ran}. "
                              "Report this: the engine should have refused it.")
    return Verdict(True, f"{_spec_text(answer)} gives {GOAL}x{GOAL} on paper, and the real Keras "
                         "layer ran on a 38x38 input and gave the same: exact landing, even "
                         "overlap.")
