"""Checks for 02 · Upsampling the output.

2.1 and 2.2 build and run the learner's Keras decoder on a 75x75 image; 2.3 is a
predict-then-reveal question on the trained decoders' checkerboards.
"""

from __future__ import annotations

from typing import Any

from .core import Verdict, exercise, layer_kinds, not_a_model, said
from .prediction import question

__all__: list[str] = []

GOAL = 75
CUTS = ("Cropping2D", "CenterCrop")        # cut the map to size
DECODERS = ("transposed, kernel 3", "transposed, kernel 4", "resize, then convolve")


def _output(model: Any) -> tuple[int, ...] | str:
    """The shape the model gives on a (1, 75, 75, 3) image, or what Keras said instead."""
    import numpy as np

    try:
        return tuple(int(v) for v in model(np.zeros((1, GOAL, GOAL, 3), "float32")).shape)
    except Exception as e:  # noqa: BLE001 - whatever Keras raises is the feedback
        return said(e, 160)


def _runs_to_75(model: Any) -> Verdict | None:
    """A verdict if the model is not a Keras model giving (1, 75, 75, 3), else None."""
    if (wrong := not_a_model(model, "keras.Input((75, 75, 3))")) is not None:
        return wrong
    shape = _output(model)
    if isinstance(shape, str):
        return Verdict(False, f"Keras could not run your model on a 75x75x3 image ({shape}).")
    if shape[1:3] == (2 * 38, 2 * 38):
        return Verdict(False, "76x76: doubling 38 overshoots. The encoder's 38 came from 75, and "
                              "the decoder must be told (output_padding, or a resize to 75).")
    if shape[1:3] != (GOAL, GOAL):
        return Verdict(False, f"Your model gives {shape[1]}x{shape[2]}, not 75x75. Size each "
                              "layer in turn (the formulas of section 2).")
    if shape[3] != 3:
        return Verdict(False, f"The target has 3 channels and your output has {shape[3]}.")
    return None


@exercise("2.1", "a transposed-convolution decoder that lands on 75x75, evenly")
def _transposed(answer: Any) -> Verdict:
    if (wrong := _runs_to_75(answer)) is not None:
        return wrong
    kinds = layer_kinds(answer)
    if cut := [k for k in kinds if k in CUTS or k == "Resizing"]:
        return Verdict(False, f"{cut[0]} gets there by cutting or resizing; land with the "
                              "transposed convolutions themselves (output_padding).")
    ups = [layer for layer in answer.layers if type(layer).__name__ == "Conv2DTranspose"]
    if len(ups) < 2:
        return Verdict(False, "Grow 19 back to 75 with two stride-2 Conv2DTranspose layers, one "
                              "per encoder stage.")
    uneven = [f"kernel {k} with stride {s}" for layer in ups
              for k, s in zip(layer.kernel_size, layer.strides) if k % s]
    if uneven:
        return Verdict(False, f"75x75, but {uneven[0]} overlaps unevenly: the checkerboard of "
                              "section 3. Use a kernel the stride divides; output_padding does "
                              "the landing.")
    return Verdict(True, "75x75x3 from two transposed convolutions whose kernels the stride "
                         "divides: 19 -> 38 -> 75, with output_padding choosing 75 over 76.")


@exercise("2.2", "a resize-then-convolve decoder that lands on 75x75")
def _resize_conv(answer: Any) -> Verdict:
    if (wrong := _runs_to_75(answer)) is not None:
        return wrong
    kinds = layer_kinds(answer)
    if "Conv2DTranspose" in kinds:
        return Verdict(False, "This decoder grows the map without a Conv2DTranspose: resize "
                              "(UpSampling2D or Resizing), then convolve.")
    resizes = [i for i, k in enumerate(kinds) if k in ("UpSampling2D", "Resizing")]
    if not resizes:
        return Verdict(False, "Nothing in your model grows the map: add UpSampling2D or "
                              "Resizing layers after the encoder.")
    if "Conv2D" not in kinds[resizes[-1] + 1:]:
        return Verdict(False, f"Your last {kinds[resizes[-1]]} comes after the last Conv2D: "
                              "nothing learned smooths the pixels it makes. Resize, then "
                              "convolve.")
    if cut := [k for k in kinds if k in CUTS]:
        return Verdict(True, f"75x75x3: resize, then convolve. ({cut[0]} drops the pixel that "
                             "doubling 38 overshoots: a one-pixel crop from rounding is what a "
                             "crop is for. Resizing(75, 75) would land without it.)")
    return Verdict(True, "75x75x3: every new pixel is interpolated, then a learned convolution "
                         "smooths it, so no weight paints one output phase differently from "
                         "another.")


@question("2.3", "which trained decoder shows the weakest checkerboard")
def _weakest_grid(prediction: Any, truth: str) -> Verdict:
    if not isinstance(prediction, str) or prediction.strip().lower() not in DECODERS:
        raise TypeError(f"predict one of {', '.join(repr(d) for d in DECODERS)}")
    guess = prediction.strip().lower()
    if guess == truth:
        return Verdict(True, "Resizing makes every new pixel the same way (interpolation has no "
                             "weights), and the convolution after it treats every position "
                             "alike: nothing depends on a pixel's place in the 2-pixel period.")
    if guess == DECODERS[2]:
        return Verdict(False, f"The reasoning holds (no weight depends on a pixel's place in the "
                              f"period), but in this run {truth!r} measured lower: with few steps "
                              "of training every grid is faint. Compare the spread over seeds.")
    if guess == "transposed, kernel 4":
        return Verdict(False, "Kernel 4 with stride 2 covers every pixel the same number of times, "
                              "but the four phases of its output still use different kernel "
                              "weights, so a trained one can keep a grid (Odena et al.).")
    return Verdict(False, "Kernel 3 with stride 2 overlaps unevenly, so it starts with a grid; "
                          "look for the decoder in which no weight depends on a pixel's place "
                          "in the period.")
