"""Checks for 06 · Choosing a strategy.

6.1 is a predict-then-reveal question on a zero-padded strided output; 6.2 builds the
learner's fix of section 1's model, holds it to the target's size and trains it on a fixed
budget to a PSNR threshold; 6.3 asks for the fix of a "valid" network that costs nothing.
"""

from __future__ import annotations

from typing import Any

from .core import Verdict, built_by, exercise, trained_score
from .prediction import question

__all__ = ["BUDGET", "THRESHOLD"]

SIZE = 32                           # 6.2: the photos' side, input and target
BUDGET = {"epochs": 8, "batch_size": 16, "lr": 3e-3, "sigma": 0.2}   # 6.2's own training
THRESHOLD = 18.0                    # 6.2: PSNR (dB) on the test photos; the noisy input has ~14.6
TARGET = (64, 64)     # exercise 6.3: the target's spatial size (H, W)
INVENTS = "Padding"                       # ZeroPadding2D, ReflectPadding2D(Layer)
INTERPOLATES = ("Resizing", "UpSampling")
LEARNED = ("Conv2DTranspose", "Dense")   # layers a fix would append with new weights


@question("6.1", "a zero-padded output's PSNR against the noisy input's")
def _worse_than_nothing(prediction: Any, truth: str) -> Verdict:
    guess = str(prediction).strip().lower()
    if guess not in ("above", "below"):
        return Verdict(False, 'Predict "above" or "below".')
    if guess == truth:
        return Verdict(True, "The sizes match and the pixels do not: the 16x16 output is the whole "
                             "photo, shrunk, in the middle of a black frame, so nearly every pixel "
                             "is compared with the wrong place or with zeros." if truth == "below"
                       else "The denoising gained more than the frame cost.")
    return Verdict(False, "Think of the frame: three quarters of the pixels are zeros, and the "
                          "middle holds the whole photo at half size, not its centre."
                   if truth == "below" else "The frame costs less than the denoising gains.")


def _fit_psnr(model: Any) -> float:
    """PSNR on the test photos after BUDGET's training (the same on every call)."""
    from helpers.data import add_noise, downsample, load_photos
    from helpers.training import psnr

    clean = downsample(load_photos("train", 64, whole=True), 2)       # (N, 32, 32, 3)
    test = downsample(load_photos("test", 64, whole=True), 2)
    noisy, noisy_test = (add_noise(a, BUDGET["sigma"], seed=s) for a, s in ((clean, 0), (test, 1)))
    return trained_score(model, (noisy, clean), (noisy_test, test), BUDGET, psnr)


@exercise("6.2", "fix section 1's denoiser so its output is the target's, and train it",
          remember=True)
def _my_fix(answer: Any) -> Verdict:
    model = built_by(answer, "my_fix", f"keras.Input(({SIZE}, {SIZE}, 3))")
    if isinstance(model, Verdict):
        return model
    out = tuple(model.output_shape[1:])
    if out != (SIZE, SIZE, 3):
        if out[:2] != (SIZE, SIZE):
            return Verdict(False, f"Your model gives {out[0]}x{out[1]}: the target is "
                                  f"{SIZE}x{SIZE}. A smaller output is the whole photo at a "
                                  "lower resolution, so a crop of the target would not "
                                  "correspond: grow the output back, or keep the resolution.")
        return Verdict(False, f"Your model gives {out[-1]} channels; the photos have 3.")
    score = _fit_psnr(model)
    budget = f"{BUDGET['epochs']} epochs on the noisy {SIZE}x{SIZE} photos"
    if score < THRESHOLD:
        return Verdict(False, f"The size is right, but after {budget} your model reaches "
                              f"{score:.1f} dB on the test photos, under {THRESHOLD:g} dB: its "
                              "pixels do not line up with the target's. Padding a strided "
                              "output puts the whole photo, shrunk, in the middle of a frame; "
                              "grow it back instead, or keep the resolution.")
    return Verdict(True, f"The output is the target's size, pixel for pixel, and after {budget} "
                         f"it reaches {score:.1f} dB on the test photos (threshold "
                         f"{THRESHOLD:g} dB).")


@exercise("6.3", f"make a model's output {TARGET[0]}x{TARGET[1]} without new parameters or "
                "invented pixels")
def _fixed(answer: Any) -> Verdict:
    from helpers.fixes import diagnose

    if not hasattr(answer, "output_shape") or not hasattr(answer, "layers"):
        return Verdict(False, "Answer with the fixed Keras model: fix.apply(valid_net) returns "
                              "one.")
    if tuple(answer.input_shape[1:3]) != TARGET:
        return Verdict(False, f"The model should still read {TARGET[0]}x{TARGET[1]} images; "
                              f"this one reads {answer.input_shape[1:3]}.")
    diagnosis = diagnose(answer, target_shape=TARGET)
    kinds = [type(layer).__name__ for layer in answer.layers]
    if diagnosis.failed is not None:
        return Verdict(False, f"This model does not build at {TARGET[0]}x{TARGET[1]}: layer "
                              f"'{diagnosis.failed.name}' {diagnosis.failed.formula}. Start "
                              "again from valid_net and apply one fix.")
    if not diagnosis.matches:
        return Verdict(False, f"Its output is still {diagnosis.output_hw}. A target-side fix "
                              "leaves the model unchanged (it changes y instead); pick a fix "
                              "that changes the model.")
    if any(INVENTS in kind for kind in kinds):
        return Verdict(False, "The sizes match, but the padding layer invents its border "
                              "pixels (cost.pixels_invented). Pick the fix whose cost invents, "
                              "discards and interpolates nothing.")
    if any(word in kind for kind in kinds for word in INTERPOLATES):
        return Verdict(False, "The sizes match, but every pixel is resampled "
                              "(cost.interpolated). Pick the fix whose cost invents, discards "
                              "and interpolates nothing.")
    learned = [layer for layer in answer.layers if type(layer).__name__ in LEARNED]
    if learned:
        extra = sum(layer.count_params() for layer in learned)
        return Verdict(False, f"The sizes match and nothing is invented, but the appended "
                              f"{type(learned[0]).__name__} adds {extra:,} parameters that start "
                              "from random weights, to undo what two unpadded convolutions did. "
                              "An edit of those layers needs none: look for the fix with "
                              "side == 'model' and cost.params_delta == 0.")
    edited = [layer.name for layer in answer.layers
              if getattr(layer, "padding", None) == "same" and type(layer).__name__ == "Conv2D"]
    return Verdict(True, f"{TARGET[0]}x{TARGET[1]} with {answer.count_params():,} parameters, as "
                         f"many as before: padding='same' on {', '.join(edited)} keeps every size, "
                         "so each output pixel sits over its own target pixel, and every layer "
                         "kept its weights. The border pixels' windows read zeros (notebook 01): "
                         "train again before you trust it.")
