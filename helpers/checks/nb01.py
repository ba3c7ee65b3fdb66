"""Checks for 01 · Same padding.

1.1 and 1.2 build and run the learner's Keras model; 1.3 is a predict-then-reveal question
on the receptive field of a full-resolution network.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import Verdict, as_number, exercise, layer_kinds, not_a_model
from .prediction import question

__all__: list[str] = []

PADDERS = ("ZeroPadding2D", "Cropping2D", "Resizing", "UpSampling2D", "CenterCrop")


def _run(model: Any, shape: tuple[int, ...]) -> np.ndarray:
    x = np.random.default_rng(1).random((1, *shape), dtype=np.float32)
    return np.asarray(model(x))


@exercise("1.1", "edit the denoiser's layers so its output is its target's size")
def _edit(answer: Any) -> Verdict:
    if (wrong := not_a_model(answer, "keras.Input((64, 64, 3))")) is not None:
        return wrong
    kinds = layer_kinds(answer)
    if extra := [k for k in kinds if k in PADDERS]:
        return Verdict(False, f"{extra[0]} changes the size after the fact (notebook 04's tools). "
                              "Here edit the three convolutions themselves and add no layer.")
    convs = [layer for layer in answer.layers if type(layer).__name__ == "Conv2D"]
    if len(convs) != 3 or len(kinds) != 3:
        return Verdict(False, f"Keep exactly the three 3x3 convolutions (your model has "
                              f"{', '.join(kinds)}).")
    if any(tuple(c.strides) != (1, 1) or tuple(c.kernel_size) != (3, 3) for c in convs):
        return Verdict(False, "Keep kernel_size=3 and strides=1: the fix is the padding.")
    valid = [c.name for c in convs if c.padding == "valid"]
    out = _run(answer, (64, 64, 3)).shape
    if valid:
        return Verdict(False, f"Your output is {out[1]}x{out[2]}: {', '.join(valid)} still "
                              "use(s) padding='valid', and each 'valid' 3x3 layer loses a pixel "
                              "on every side.")
    if out[3] != 3:
        return Verdict(False, f"The target has 3 channels and your output has {out[3]}.")
    return Verdict(True, "64x64x3: each 'same' layer pads one ring of zeros, so every output "
                         "pixel stays centred on its own input pixel, and no weight was added.")


@exercise("1.2", "write padding='same' yourself for a kernel of 4")
def _same_by_hand(answer: Any) -> Verdict:
    if (wrong := not_a_model(answer, "keras.Input((None, None, 1))")) is not None:
        return wrong
    import keras

    convs = [layer for layer in answer.layers if type(layer).__name__ == "Conv2D"]
    pads = [layer for layer in answer.layers if type(layer).__name__ == "ZeroPadding2D"]
    if len(convs) != 1 or len(pads) != 1:
        return Verdict(False, "Write one ZeroPadding2D, then one Conv2D (you have "
                              f"{', '.join(layer_kinds(answer)) or 'no layers'}).")
    conv = convs[0]
    if tuple(conv.kernel_size) != (4, 4) or tuple(conv.strides) != (1, 1):
        return Verdict(False, "The Conv2D is kernel_size=4, strides=1, as in the layer to copy.")
    if conv.padding != "valid":
        return Verdict(False, "Let the Conv2D pad nothing (padding='valid'): the ZeroPadding2D "
                              "before it is your 'same'.")
    n = 16
    x = np.random.default_rng(2).random((1, n, n, 1), dtype=np.float32)
    same = keras.layers.Conv2D(conv.filters, 4, padding="same", use_bias=conv.use_bias)
    same.build((1, n, n, 1))
    same.set_weights(conv.get_weights())
    want = np.asarray(same(x))
    try:
        got = np.asarray(answer(x))
    except Exception as e:  # noqa: BLE001 - whatever Keras says is the hint
        return Verdict(False, f"Your model does not run on a {n}x{n}x1 image ({type(e).__name__}); "
                              "build it on keras.Input((None, None, 1)).")
    if got.shape != want.shape:
        return Verdict(False, f"{got.shape[1]}x{got.shape[2]} from {n}x{n}: a 4-wide window "
                              "needs k - 1 = 3 zeros in all to keep n pixels.")
    if not np.allclose(got, want, atol=1e-5):
        return Verdict(False, "The right size, but not the same numbers: 3 zeros do not split "
                              "evenly, and TensorFlow puts the odd one after (bottom/right).")
    return Verdict(True, "Identical to Conv2D(..., 4, padding='same'): one zero before and two "
                         "after on each axis. The output is shifted by half a pixel against "
                         "the input, as every even kernel's is.")


@question("1.3", "how far one output pixel of three 3x3 'same' layers sees")
def _reach(prediction: Any, truth: int) -> Verdict:
    prediction = as_number(prediction)
    if prediction == truth:
        return Verdict(True, "Each 3x3 layer adds one pixel on each side of what the layer before "
                             "it saw: 3, then 5, then 7. At stride 1 the field grows by 2 per "
                             "layer, slowly.")
    if prediction == 9:
        return Verdict(False, "3 x 3 counts each layer's window as if they did not overlap; the "
                              "second layer's window is centred on pixels the first already saw.")
    return Verdict(False, "Follow one output pixel back: the last layer reads 3 pixels, each of "
                          "which read 3 pixels of the layer before, centred one apart.")
