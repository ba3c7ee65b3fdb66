"""Notebook 02's checks on real Keras decoders: the honest ones pass, and the ones a learner
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


def net(*decoder) -> keras.Model:
    inputs = keras.Input((75, 75, 3))
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same")(inputs)
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same")(x)
    for layer in decoder:
        x = layer(x)
    return keras.Model(inputs, x)


def up(filters: int, k: int, a: int | None = None, padding: str = "same"):
    return keras.layers.Conv2DTranspose(filters, k, strides=2, padding=padding, output_padding=a)


def conv(filters: int):
    return keras.layers.Conv2D(filters, 3, padding="same")


def test_2_1_accepts_even_kernels_landing_with_output_padding() -> None:
    assert checks.check("2.1", net(up(4, 4), up(3, 4, 1))).passed
    assert checks.check("2.1", net(up(4, 2), up(3, 4, 1))).passed


@pytest.mark.parametrize("decoder, words", [
    (lambda: [up(4, 4), up(3, 4)], "76x76: doubling 38 overshoots"),
    (lambda: [up(4, 3), up(3, 3, 0)], "overlaps unevenly"),
    (lambda: [up(4, 4), up(3, 4), keras.layers.Cropping2D(((0, 1), (0, 1)))], "cutting"),
    (lambda: [keras.layers.Conv2DTranspose(3, 4, strides=4, padding="same"),
              keras.layers.Resizing(75, 75)], "cutting or resizing"),
    (lambda: [up(4, 4), up(1, 4, 1)], "3 channels"),
])
def test_2_1_names_each_plausible_mistake(decoder, words: str) -> None:
    feedback = checks.check("2.1", net(*decoder()))
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


def test_2_2_accepts_resize_then_convolve_with_or_without_the_one_pixel_crop() -> None:
    resized = net(keras.layers.Resizing(38, 38), conv(4), keras.layers.Resizing(75, 75), conv(3))
    assert checks.check("2.2", resized).passed
    cropped = net(keras.layers.UpSampling2D(2), conv(4), keras.layers.UpSampling2D(2),
                  keras.layers.Cropping2D(((0, 1), (0, 1))), conv(3))
    feedback = checks.check("2.2", cropped)
    assert feedback.passed and "one-pixel crop from rounding" in feedback.message


@pytest.mark.parametrize("decoder, words", [
    (lambda: [keras.layers.UpSampling2D(2), conv(4), keras.layers.UpSampling2D(2), conv(3)],
     "76x76"),
    (lambda: [conv(4), keras.layers.Resizing(38, 38), conv(3), keras.layers.Resizing(75, 75)],
     "after the last Conv2D"),
    (lambda: [keras.layers.Resizing(38, 38), conv(4), up(3, 4, 1)], "without a Conv2DTranspose"),
    (lambda: [keras.layers.Resizing(75, 75)], "3 channels"),
])
def test_2_2_names_each_plausible_mistake(decoder, words: str) -> None:
    feedback = checks.check("2.2", net(*decoder()))
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


def test_2_1_and_2_2_want_a_model() -> None:
    assert "keras.Model" in checks.check("2.1", up(3, 4)).message


@pytest.mark.parametrize("guess, truth, right, words", [
    ("resize, then convolve", "resize, then convolve", True, "no weights"),
    ("transposed, kernel 4", "resize, then convolve", False, "different kernel weights"),
    ("Transposed, kernel 3", "resize, then convolve", False, "overlaps unevenly"),
    ("resize, then convolve", "transposed, kernel 4", False, "measured lower"),
])
def test_2_3_explains_the_prediction_against_the_measured_decoder(guess, truth, right,
                                                                 words) -> None:
    checks.predict("2.3", guess)
    feedback = checks.reveal("2.3", truth)
    assert feedback.passed is right and words in feedback.message, feedback.message


def test_2_3_wants_one_of_the_three_decoders() -> None:
    checks.predict("2.3", "bilinear")
    assert "predict one of" in checks.reveal("2.3", "resize, then convolve").message
