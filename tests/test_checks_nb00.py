"""Notebook 00's checks on real Keras models: the solutions pass, and the answers a learner
plausibly writes first fail with a hint that points at their mistake."""

from __future__ import annotations

import pytest

from helpers import checks
from helpers.checks import prediction

pytestmark = pytest.mark.both_builds
keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True)
def _forget_predictions() -> None:
    prediction._RECORD.clear()


def autoencoder(paddings: tuple[str, ...], extra: list | None = None) -> keras.Model:
    inputs = keras.Input((75, 75, 1))
    x = keras.layers.Conv2D(4, 3, strides=2, padding=paddings[0])(inputs)
    x = keras.layers.Conv2D(4, 3, strides=2, padding=paddings[1])(x)
    x = keras.layers.Conv2DTranspose(4, 3, strides=2, padding=paddings[2])(x)
    x = keras.layers.Conv2DTranspose(1, 3, strides=2, padding=paddings[3])(x)
    for layer in extra or []:
        x = layer(x)
    return keras.Model(inputs, x)


def denoiser(last: str = "same", channels: int = 1, convs: int = 3, extra: list | None = None,
             size: int = 28) -> keras.Model:
    inputs = keras.Input((size, size, 1))
    x = inputs
    for _ in range(convs - 1):
        x = keras.layers.Conv2D(4, 3, padding="same")(x)
    x = keras.layers.Conv2D(channels, 3, padding=last)(x)
    for layer in extra or []:
        x = layer(x)
    return keras.Model(inputs, x)


def test_0_3_accepts_the_all_valid_network_that_lands_on_75() -> None:
    assert checks.check("0.3", autoencoder(("valid",) * 4)).passed


@pytest.mark.parametrize("paddings, words", [
    (("same",) * 4, "rounds 37.5 up"),
    (("valid", "valid", "same", "same"), "only doubles"),
    (("same", "same", "valid", "valid"), "Make the encoder drop what the decoder adds"),
])
def test_0_3_explains_each_wrong_choice_of_paddings(paddings: tuple, words: str) -> None:
    feedback = checks.check("0.3", autoencoder(paddings))
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


def test_0_3_refuses_a_crop_or_output_padding_in_place_of_the_padding_edit() -> None:
    cropped = autoencoder(("same",) * 4, [keras.layers.Cropping2D(((0, 1), (0, 1)))])
    assert "change only their padding=" in checks.check("0.3", cropped).message
    inputs = keras.Input((75, 75, 1))
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same")(inputs)
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same")(x)
    x = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same", output_padding=0)(x)
    x = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same", output_padding=0)(x)
    assert "notebook 02's tool" in checks.check("0.3", keras.Model(inputs, x)).message


def test_0_4_accepts_a_padded_last_conv_and_a_zero_padding_layer_before_a_valid_one() -> None:
    assert checks.check("0.4", denoiser("same")).passed
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 3, padding="same")(inputs)
    x = keras.layers.Conv2D(4, 3, padding="same")(x)
    x = keras.layers.ZeroPadding2D(1)(x)
    assert checks.check("0.4", keras.Model(inputs, keras.layers.Conv2D(1, 3)(x))).passed


@pytest.mark.parametrize("model, words", [
    (lambda: denoiser("valid"), "loses one pixel on each side"),
    (lambda: denoiser("valid", extra=[keras.layers.Resizing(28, 28)]), "after the fact"),
    (lambda: denoiser("valid", extra=[keras.layers.Conv2DTranspose(1, 3)]), "Conv2DTranspose"),
    (lambda: denoiser("same", convs=4), "three convolutions"),
    (lambda: denoiser("same", channels=3), "1 channel and your output has 3"),
    (lambda: denoiser("same", size=32), None),
])
def test_0_4_explains_each_plausible_wrong_fix(model, words: str | None) -> None:
    feedback = checks.check("0.4", model())
    if words is None:  # a model built on another fixed size: Keras refuses 28x28 input
        assert feedback.status == "wrong" and "28x28x1" in feedback.message, feedback.message
        return
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


def test_0_4_and_0_3_want_a_model_not_a_layer() -> None:
    assert "keras.Model" in checks.check("0.4", keras.layers.Conv2D(1, 3)).message


@pytest.mark.parametrize("guess, right", [(64, True), (63, True), (0, False), (1, False),
                                          (32, False)])
def test_0_1_reveals_the_drift_of_a_centre_crop_after_a_prediction(guess: int,
                                                                  right: bool) -> None:
    from helpers import shapes

    truth = shapes.correspondence([shapes.Conv2D(8, 3, strides=2, padding="same")], 256,
                                  crop_target=True).worst
    assert checks.predict("0.1", guess).status == "recorded"
    assert checks.reveal("0.1", truth).passed is right


@pytest.mark.parametrize("guess, words", [(76, "37.5 up"), (75, "75 is odd"), (74, "rounds up")])
def test_0_2_explains_the_common_predictions(guess: int, words: str) -> None:
    checks.predict("0.2", guess)
    assert words in checks.reveal("0.2", 76).message
