"""Notebook 06's new checks: the prediction on a zero-padded strided output, and the
learner's fix of section 1's denoiser, held to the target's size and trained by the check to
its PSNR threshold. Honest fixes pass; a padded strided output, a smaller output and a fix for
the wrong channels fail with their own hint. Real Keras models, real training."""

from __future__ import annotations

import pytest

from helpers import checks, training
from helpers.checks import nb06, prediction

keras = pytest.importorskip("keras")
L = keras.layers


@pytest.fixture(autouse=True)
def _forget() -> None:
    prediction._RECORD.clear()


def denoiser(tail=None, pool=True, channels=3):
    def build():
        inputs = keras.Input((32, 32, 3))
        x = L.Conv2D(16, 3, padding="same", activation="relu")(inputs)
        x = L.MaxPooling2D(2)(x) if pool else x
        x = L.Conv2D(16, 3, padding="same", activation="relu")(x)
        if tail == "upsample":
            x = L.UpSampling2D(2, interpolation="bilinear")(x)
        if tail == "transposed":
            x = L.Conv2DTranspose(16, 2, strides=2, activation="relu")(x)
        x = L.Conv2D(channels, 3, padding="same", activation="sigmoid")(x)
        if tail == "zero-pad":
            x = L.ZeroPadding2D(8)(x)
        return keras.Model(inputs, x)
    return build


@pytest.mark.both_builds
@pytest.mark.parametrize("build", [denoiser("upsample"), denoiser("transposed"),
                                   denoiser(pool=False)])
def test_6_2_accepts_honest_fixes(build) -> None:
    feedback = checks.check("6.2", build)
    assert feedback.passed, feedback.message


@pytest.mark.both_builds
def test_6_2_rejects_a_padded_strided_output_by_its_quality() -> None:
    """ZeroPadding2D(8) makes 16x16 into 32x32: the sizes match, the pixels do not, and the
    trained model stays far under the threshold."""
    feedback = checks.check("6.2", denoiser("zero-pad"))
    assert feedback.status == "wrong" and f"under {nb06.THRESHOLD:g} dB" in feedback.message


@pytest.mark.parametrize("build, words", [
    (denoiser(), "gives 16x16"),
    (denoiser("upsample", channels=1), "1 channels"),
    (denoiser("upsample")(), "no brackets"),
])
def test_6_2_names_each_wrong_answer_without_training(build, words: str) -> None:
    feedback = checks.check("6.2", build)
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


@pytest.mark.parametrize("guess, truth, right, words", [
    ("below", "below", True, "the pixels do not"),
    ("above", "below", False, "three quarters of the pixels"),
    ("maybe", "below", False, 'Predict "above" or "below"'),
])
def test_6_1_reveals_what_a_zero_frame_costs(guess, truth, right: bool, words: str) -> None:
    checks.predict("6.1", guess)
    feedback = checks.reveal("6.1", truth)
    assert feedback.passed is right and words in feedback.message, feedback.message


def test_tiers_claim_an_order_only_where_ranges_separate() -> None:
    scores = {"a": [0.70, 0.66, 0.69], "b": [0.65, 0.64, 0.645], "c": [0.61, 0.65, 0.62],
              "d": [0.54, 0.59, 0.55]}
    assert training.tiers(scores) == [["a"], ["b", "c"], ["d"]]
    assert training.tiers({"x": [20.0, 21.0], "y": [19.0, 19.5]}, higher_is_better=False) == \
        [["y"], ["x"]]
