"""Checks for 00 · Why sizes change.

0.1 and 0.2 are predict-then-reveal questions; 0.3 and 0.4 build and run the learner's
Keras model. Keras is imported inside the checks that need it.
"""

from __future__ import annotations

from typing import Any

from .core import Verdict, as_number, exercise, layer_kinds, not_a_model
from .prediction import question

__all__: list[str] = []

RESAMPLERS = ("Resizing", "UpSampling2D", "CenterCrop", "Cropping2D")  # change size, not conv


@question("0.1", "how far a centre crop puts output pixels from their target pixels")
def _crop_offset(prediction: Any, truth: float) -> Verdict:
    guess = as_number(prediction)
    if abs(guess - truth) <= 1:
        return Verdict(True, "Output pixel i is centred on input pixel 2i + 1 but compared with "
                             "target pixel 64 + i: the gap grows by one pixel per output pixel, "
                             "to a quarter of the image at the edges.")
    if guess <= 2:
        return Verdict(False, "Near the middle the crop does line up, but output pixel i looks at "
                              "input pixel 2i + 1 and is compared with target pixel 64 + i: follow "
                              "that gap out to the first and the last output pixel.")
    return Verdict(False, "Write both positions as functions of i: the window's centre (the "
                          "stride doubles it) and the cropped target's pixel (64 + i). Their "
                          "difference is largest at the edges.")


@question("0.2", "the output size of a 'same' encoder-decoder on 75x75")
def _autoencoder(prediction: Any, truth: int) -> Verdict:
    guess = as_number(prediction)
    if guess == truth:
        return Verdict(True, "75 -> 38 -> 19 -> 38 -> 76: 'same' rounds 37.5 up to 38, and both "
                             "transposed convolutions double, so the half pixel gained comes back "
                             "as a whole one.")
    if guess == 75:
        return Verdict(False, "Halving and doubling come back to the input only when every halving "
                              "is exact, and 75 is odd: see what 'same' does with 75 / 2.")
    if guess in (72, 74):
        return Verdict(False, "That is what dropping the odd pixel would give ('valid'); 'same' "
                              "rounds up instead: ceil(75 / 2).")
    return Verdict(False, "Size each of the four layers in turn: 'same' with stride 2 gives "
                          "ceil(n / 2), a 'same' transposed conv with stride 2 gives 2n.")


def _run(model: Any, n: int, channels: int) -> tuple[int, ...]:
    """The shape the model gives on a (1, n, n, channels) array of zeros."""
    import numpy as np

    return tuple(int(v) for v in model(np.zeros((1, n, n, channels), "float32")).shape)


@exercise("0.3", "land the encoder-decoder on 75x75 by changing padding= only")
def _land(answer: Any) -> Verdict:
    if (wrong := not_a_model(answer, "keras.Input((75, 75, 1))")) is not None:
        return wrong
    kinds = layer_kinds(answer)
    if kinds != ["Conv2D", "Conv2D", "Conv2DTranspose", "Conv2DTranspose"]:
        return Verdict(False, f"Keep the four layers and change only their padding= (your model "
                              f"has {', '.join(kinds)}).")
    layers = answer.layers[-4:]
    if any(tuple(layer.strides) != (2, 2) or tuple(layer.kernel_size) != (3, 3)
           for layer in layers):
        return Verdict(False, "Keep kernel_size=3 and strides=2 everywhere: change padding= only.")
    if any(getattr(layer, "output_padding", None) for layer in layers):
        return Verdict(False, "output_padding is notebook 02's tool; here change padding= only.")
    shape = _run(answer, 75, 1)
    if shape[1:3] == (75, 75):
        return Verdict(True, "75 -> 37 -> 18 -> 37 -> 75: a 'valid' conv drops the odd pixel and "
                             "a 'valid' transposed conv adds max(k - s, 0) = 1 back, so the "
                             "decoder undoes the encoder exactly.")
    paddings = [layer.padding for layer in layers]
    hint = {("same", "same", "same", "same"):
            "'same' rounds 37.5 up to 38 and the decoder doubles the extra pixel.",
            ("valid", "valid", "same", "same"):
            "The encoder now drops the odd pixels (75 -> 37 -> 18), but a 'same' transposed "
            "conv only doubles (36, 72). Which padding adds max(k - s, 0) pixels?",
            ("same", "same", "valid", "valid"):
            "The decoder now adds a pixel at each step (19 -> 39 -> 79), but the encoder rounded "
            "up. Make the encoder drop what the decoder adds."}.get(tuple(paddings), "")
    return Verdict(False, f"Your model gives {shape[1]}x{shape[2]}, not 75x75. {hint} Size each "
                          "layer in turn (shapes.trace or the stack explorer above can check you).")


@exercise("0.4", "fix section 1's denoiser so output pixel i sits over target pixel i")
def _denoiser(answer: Any) -> Verdict:
    if (wrong := not_a_model(answer, "keras.Input((28, 28, 1))")) is not None:
        return wrong
    kinds = layer_kinds(answer)
    resampled = [k for k in kinds if k in RESAMPLERS or k == "Conv2DTranspose"]
    if resampled:
        return Verdict(False, f"{resampled[0]} makes the sizes equal after the fact (it "
                              "stretches, cuts or grows the map), so output pixel i no longer sits "
                              "over target pixel i (section 3). Make the convolutions keep the "
                              "size instead.")
    if kinds.count("Conv2D") != 3:
        return Verdict(False, f"Keep section 1's three convolutions (your model has "
                              f"{kinds.count('Conv2D')}): the fix is in how they pad.")
    try:
        shape = _run(answer, 28, 1)
    except Exception as e:  # noqa: BLE001 - whatever Keras says is the hint
        return Verdict(False, f"Your model does not run on a 28x28x1 image ({type(e).__name__}); "
                              "build it on keras.Input((28, 28, 1)).")
    if shape[3] != 1:
        return Verdict(False, f"The target has 1 channel and your output has {shape[3]}: the last "
                              "Conv2D makes the channels.")
    if shape[1:3] != (28, 28):
        return Verdict(False, f"Your output is {shape[1]}x{shape[2]}: a 3x3 window with "
                              "padding='valid' loses one pixel on each side. Which padding keeps "
                              "n pixels?")
    return Verdict(True, "28x28x1 with the same three convolutions: the last one now pads a "
                         "one-pixel border of zeros, so output pixel i is centred on input "
                         "pixel i, and no weight was added.")
