"""The capstone's checks (notebook 07): the fixed U-Net is held to the shape contract and
trained by the check to its mean-IoU threshold. Two different honest fixes pass; plausible
wrong ones (a strided output for a crop, a model for one size, a fix below the threshold,
the classmate's model itself) fail, each with its own hint. Real Keras models, real training."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import checks
from helpers.checks import nb07, prediction

keras = pytest.importorskip("keras")
L = keras.layers


@pytest.fixture(autouse=True)
def _forget() -> None:
    prediction._RECORD.clear()


class PadTo(L.Layer):
    def __init__(self, multiple, **kwargs):
        super().__init__(**kwargs)
        self.multiple = multiple

    def call(self, x):
        h, w = keras.ops.shape(x)[1], keras.ops.shape(x)[2]
        return keras.ops.pad(x, [[0, 0], [0, -h % self.multiple], [0, -w % self.multiple], [0, 0]])


class CropLike(L.Layer):
    def call(self, x, like):
        return x[:, :keras.ops.shape(like)[1], :keras.ops.shape(like)[2], :]


def body(x, pool="valid", crop_up=False, skip=None, last="same"):
    """The classmate's layers, with the choices a fix makes."""
    c1 = L.Conv2D(16, 3, padding="same", activation="relu")(x)
    c2 = L.Conv2D(32, 3, padding="same", activation="relu")(L.MaxPooling2D(2, padding=pool)(c1))
    x = L.Conv2D(64, 3, padding="same", activation="relu")(L.MaxPooling2D(2, padding=pool)(c2))
    for kept, filters in ((c2, 32), (c1, 16)):
        up = L.Conv2DTranspose(filters, 2, strides=2, activation="relu")(x)
        up = CropLike()(up, kept) if crop_up else up
        x = L.Concatenate()([up, skip(kept) if skip and kept is c1 else kept])
        x = L.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = L.Conv2D(16, 3, padding=last, activation="relu")(x)
    return L.Conv2D(16, 3, padding=last, activation="relu")(x)


def pad_fix():
    """Honest fix 1: pad the tile to a multiple of 4, crop the logits back."""
    inputs = keras.Input((None, None, 3))
    return keras.Model(inputs, CropLike()(L.Conv2D(2, 1)(body(PadTo(4)(inputs))), inputs))


def same_pool_fix():
    """Honest fix 2: "same" pooling (ceil), each up-step cropped to its skip."""
    inputs = keras.Input((None, None, 3))
    return keras.Model(inputs, L.Conv2D(2, 1)(body(inputs, pool="same", crop_up=True)))


def classmates():
    inputs = keras.Input((None, None, 3))
    return keras.Model(inputs, L.Conv2D(2, 1)(body(inputs, last="valid")))


def strided_for_a_crop():
    """The seed article's way: an encoder's strided output, its target to be centre-cropped."""
    inputs = keras.Input((None, None, 3))
    x = L.Conv2D(16, 3, strides=2, padding="same", activation="relu")(inputs)
    return keras.Model(inputs, L.Conv2D(2, 1)(x))


def one_size():
    """An honest fix, built for 32x32 tiles only."""
    inputs = keras.Input((32, 32, 3))
    return keras.Model(inputs, L.Conv2D(2, 1)(body(inputs)))


def doctors_33_crop():
    """The doctor's fix for a 33x33 tile, kept for every tile: a fixed one-pixel skip crop."""
    inputs = keras.Input((None, None, 3))
    return keras.Model(inputs, L.Conv2D(2, 1)(body(inputs, skip=L.Cropping2D(((0, 1), (0, 1))))))


def valid_kept():
    """Padded and cropped back, but the two "valid" layers kept: 4 pixels short."""
    inputs = keras.Input((None, None, 3))
    return keras.Model(inputs, CropLike()(L.Conv2D(2, 1)(body(PadTo(4)(inputs), last="valid")),
                                          inputs))


def flat():
    """The sizes match because every layer that changes them is gone."""
    inputs = keras.Input((None, None, 3))
    x = inputs
    for _ in range(4):
        x = L.Conv2D(16, 3, padding="same", activation="relu")(x)
    return keras.Model(inputs, L.Conv2D(2, 1)(x))


def softmax_head():
    """An honest fix whose last layer gives probabilities where the loss wants logits."""
    inputs = keras.Input((None, None, 3))
    head = L.Conv2D(2, 1, activation="softmax")
    return keras.Model(inputs, CropLike()(head(body(PadTo(4)(inputs))), inputs))


@pytest.mark.both_builds
@pytest.mark.parametrize("build", [pad_fix, same_pool_fix])
def test_7_2_accepts_two_different_honest_fixes(build) -> None:
    feedback = checks.check("7.2", build)
    assert feedback.passed, feedback.message


@pytest.mark.parametrize("build, words", [
    (strided_for_a_crop, "lower resolution"),
    (one_size, "fits 32x32 tiles only"),
    (doctors_33_crop, "It runs on 9, 13, 17"),
    (classmates, "fails on tiles of"),
    (valid_kept, "'valid' layers"),
    (lambda: keras.Sequential([keras.Input((None, None, 3)), L.Conv2D(3, 1)]), "3 channels"),
    (pad_fix(), "no brackets"),
])
def test_7_2_names_each_wrong_fix_without_training(build, words: str) -> None:
    feedback = checks.check("7.2", build)
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


@pytest.mark.both_builds
@pytest.mark.parametrize("build, words", [(flat, "Keep the U-Net's pooling"),
                                          (softmax_head, "no activation")])
def test_7_2_rejects_fixes_below_the_threshold(build, words: str) -> None:
    feedback = checks.check("7.2", build)
    assert feedback.status == "wrong" and words in feedback.message, feedback.message
    assert f"under {nb07.THRESHOLD}" in feedback.message or "background" in feedback.message


def test_7_2_remembers_the_verdict_for_the_same_builder() -> None:
    """Checking the same function again does not train again: the verdict is kept."""
    first = checks.check("7.2", flat)
    again = checks.check("7.2", flat)
    assert again.message == first.message


@pytest.mark.parametrize("guess, right, words", [
    ([24, 28, 32, 36, 40], True, "multiples of 4"),
    (list(range(24, 41, 2)), False, "30 -> 15 -> 7 -> 14"),
    ([32], False, "not the only one"),
])
def test_7_1_reveals_the_sizes(guess, right: bool, words: str) -> None:
    checks.predict("7.1", guess)
    feedback = checks.reveal("7.1", [24, 28, 32, 36, 40])
    assert feedback.passed is right and words in feedback.message, feedback.message


def test_7_1_truth_is_what_the_classmates_model_runs_on() -> None:
    model = classmates()
    works = []
    for n in range(24, 41):
        try:
            model(np.zeros((1, n, n, 3), "float32"))
            works.append(n)
        except Exception:  # noqa: BLE001 - Keras's or TensorFlow's error
            pass
    assert works == [24, 28, 32, 36, 40]


def tiled(model, image, tile=32):
    h, w = image.shape[:2]
    out = np.zeros((h, w, 3), "float32")
    for r in range(0, h, tile):
        for c in range(0, w, tile):
            out[r:r + tile, c:c + tile] = np.asarray(model(image[None, r:r + tile, c:c + tile]))[0]
    return out


def from_the_end(model, image, tile=32):
    """Tiles aligned to the bottom/right edge instead of row and column 0."""
    flipped = tiled(model, image[::-1, ::-1], tile)
    return flipped[::-1, ::-1]


def misplaced(model, image, tile=32):
    out = tiled(model, image, tile)
    return np.roll(out, 1, axis=0)


@pytest.mark.both_builds
@pytest.mark.parametrize("fn, right, words", [
    (tiled, True, "stitching is only placement"),
    (lambda model, image, tile=32: np.asarray(model(image[None]))[0], False, "whole image"),
    (lambda model, image, tile=32: tiled(model, image, 25), False, "not the 32x32 ones"),
    (from_the_end, False, "not the 32x32 ones"),
    (misplaced, False, "belongs at (row + i, column + j)"),
    (lambda model, image, tile=32: tiled(model, image)[:64, :64], False, "(H, W, channels)"),
])
def test_7_3_checks_placement_with_real_models(fn, right: bool, words: str) -> None:
    feedback = checks.check("7.3", fn)
    assert feedback.passed is right and words in feedback.message, feedback.message
