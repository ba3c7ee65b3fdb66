"""Notebook 01's checks on real Keras models: the honest answers pass, and the ones a learner
plausibly writes first fail with a hint that names their mistake."""

from __future__ import annotations

import pytest

from helpers import checks
from helpers.checks import prediction

pytestmark = pytest.mark.both_builds
keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True)
def _forget_predictions() -> None:
    prediction._RECORD.clear()


def denoiser(paddings=("same",) * 3, channels: int = 3, strides: int = 1, extra=()) -> keras.Model:
    inputs = keras.Input((64, 64, 3))
    x = inputs
    for i, p in enumerate(paddings):
        x = keras.layers.Conv2D(channels if i == len(paddings) - 1 else 4, 3, padding=p,
                                strides=strides if i == 0 else 1)(x)
    for layer in extra:
        x = layer(x)
    return keras.Model(inputs, x)


def test_1_1_accepts_three_same_convolutions() -> None:
    assert checks.check("1.1", denoiser()).passed


@pytest.mark.parametrize("model, words", [
    (lambda: denoiser(("valid",) * 3), "each 'valid' 3x3 layer loses a pixel"),
    (lambda: denoiser(("valid", "valid", "same")), "60x60"),
    (lambda: denoiser(("valid",) * 3, extra=[keras.layers.ZeroPadding2D(3)]), "add no layer"),
    (lambda: denoiser(("valid",) * 3, extra=[keras.layers.Resizing(64, 64)]), "after the fact"),
    (lambda: denoiser(("same",) * 4), "exactly the three"),
    (lambda: denoiser(strides=2), "strides=1"),
    (lambda: denoiser(channels=1), "3 channels"),
])
def test_1_1_names_each_plausible_mistake(model, words: str) -> None:
    feedback = checks.check("1.1", model())
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


def padded(padding, conv_padding: str = "valid", kernel: int = 4) -> keras.Model:
    inputs = keras.Input((None, None, 1))
    x = keras.layers.ZeroPadding2D(padding)(inputs)
    return keras.Model(inputs, keras.layers.Conv2D(1, kernel, padding=conv_padding)(x))


def test_1_2_accepts_one_zero_before_and_two_after() -> None:
    assert checks.check("1.2", padded(((1, 2), (1, 2)))).passed


@pytest.mark.parametrize("model, words", [
    (lambda: padded(((2, 1), (2, 1))), "TensorFlow puts the odd one after"),
    (lambda: padded(1), "3 zeros in all"),
    (lambda: padded(2), "3 zeros in all"),
    (lambda: padded(((1, 2), (1, 2)), conv_padding="same"), "padding='valid'"),
    (lambda: padded(((1, 1), (1, 1)), kernel=3), "kernel_size=4"),
    (lambda: keras.Sequential([keras.Input((None, None, 1)),
                               keras.layers.Conv2D(1, 4, padding="same")]), "one ZeroPadding2D"),
])
def test_1_2_names_each_plausible_mistake(model, words: str) -> None:
    feedback = checks.check("1.2", model())
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


@pytest.mark.parametrize("guess, right, words", [(7, True, "3, then 5, then 7"),
                                                 (9, False, "did not overlap"),
                                                 (3, False, "Follow one output pixel back")])
def test_1_3_explains_the_receptive_field(guess: int, right: bool, words: str) -> None:
    checks.predict("1.3", guess)
    feedback = checks.reveal("1.3", 7)
    assert feedback.passed is right and words in feedback.message, feedback.message
