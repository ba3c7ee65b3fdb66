"""Checks for 00 · Why sizes change."""

from __future__ import annotations

from typing import Any

from helpers.shapes import Conv2D, ShapeError, conv_out

from .core import Verdict, exercise

__all__: list[str] = []


@exercise("0.1", "predict a Conv2D's output size")
def _predict(answer: Any) -> Verdict:
    expected = conv_out(75, 5, stride=2)
    if answer == expected:
        return Verdict(True, f"floor((75 - 5) / 2) + 1 gives {expected}: the last column the "
                             "window cannot reach is dropped.")
    if answer == conv_out(75, 5, stride=2, padding="same"):
        return Verdict(False, "That is the 'same' answer, ceil(75 / 2). With padding='valid' "
                              "the 5-wide window must fit entirely inside the input.")
    return Verdict(False, "Use o = floor((n - k) / s) + 1 with n = 75, k = 5, s = 2 "
                          "(shapes.conv_out can check you, after you predict).")


@exercise("0.2", "land on 38x38 from 75x75 with one kernel-3 Conv2D")
def _land(answer: Any) -> Verdict:
    if not isinstance(answer, Conv2D):
        return Verdict(False, "Answer with a layer spec, e.g. shapes.Conv2D(8, 3, strides=..., "
                              "padding=...).")
    kernel = answer.kernel_size if isinstance(answer.kernel_size, int) else answer.kernel_size[0]
    if kernel != 3:
        return Verdict(False, f"The exercise fixes kernel_size=3 (you used {answer.kernel_size}).")
    try:
        out = answer.output_shape((75, 75, 1))[:2]
    except ShapeError as e:
        return Verdict(False, f"Keras could not run that layer: {e}")
    if out == (38, 38):
        return Verdict(True, "ceil(75 / 2) = 38: 'same' padding adds the odd pixel at the "
                             "bottom/right so no input row is dropped.")
    if out == (37, 37):
        return Verdict(False, "37: 'valid' drops the odd pixel. Which padding rounds up?")
    return Verdict(False, f"Your layer gives {out[0]}x{out[1]}. Halving needs a stride of 2; "
                          "then choose the padding that rounds up.")


@exercise("0.3", "set the conv explorer to a 5x5 output")
def _explorer(answer: Any) -> Verdict:
    value = getattr(answer, "value", answer)
    if not isinstance(value, dict) or "output" not in value:
        return Verdict(False, "Pass the explorer itself (the widget you dragged).")
    if value["n"] != 12 or value["kernel"] != 3:
        return Verdict(False, f"Keep input size 12 and kernel_size 3 (you have {value['n']} and "
                              f"{value['kernel']}); change the other sliders.")
    if value["output"] == 5:
        return Verdict(True, f"{value['padding']}, stride {value['stride']}, dilation "
                             f"{value['dilation']} gives 5x5.")
    return Verdict(False, f"The explorer shows {value['output']}x{value['output']}. Try a "
                          "larger stride with 'valid' padding, and read the formula it prints.")
