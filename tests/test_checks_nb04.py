"""Notebook 04's checks: the reflect-padding head built in Keras and the masked loss run on
arrays; the honest answers pass, and plausible wrong ones fail with a hint that names them."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import checks
from helpers.checks import prediction

keras = pytest.importorskip("keras")

PAD = ((0, 0), (2, 2), (2, 2), (0, 0))


@pytest.fixture(autouse=True)
def _forget_predictions() -> None:
    prediction._RECORD.clear()


def head(fn) -> keras.Model:
    inputs = keras.Input((60, 60, 3))
    return keras.Model(inputs, fn(inputs))


@pytest.mark.both_builds
def test_4_2_accepts_keras_ops_pad_with_reflect() -> None:
    assert checks.check("4.2", head(lambda x: keras.ops.pad(x, PAD, mode="reflect"))).passed


@pytest.mark.both_builds
@pytest.mark.parametrize("fn, words", [
    (lambda x: keras.layers.ZeroPadding2D(2)(x), "zero padding"),
    (lambda x: keras.ops.pad(x, PAD, mode="symmetric"), "'symmetric'"),
    (lambda x: keras.layers.Resizing(64, 64)(x), "a resize stretches it"),
    (lambda x: keras.ops.pad(x, ((0, 0), (0, 4), (0, 4), (0, 0)), mode="reflect"), "has moved"),
    (lambda x: keras.layers.ZeroPadding2D(1)(x), "62x62"),
])
def test_4_2_names_each_plausible_mistake(fn, words: str) -> None:
    feedback = checks.check("4.2", head(fn))
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


def reference(y_true, y_pred):
    return np.mean((y_true[:, 2:62, 2:62] - y_pred[:, 2:62, 2:62]) ** 2)


def diluted(y_true, y_pred):
    mask = np.pad(np.ones((60, 60)), 2)[None, :, :, None]
    return np.mean((y_true - y_pred) ** 2 * mask)


@pytest.mark.parametrize("fn", [
    reference,
    lambda t, p: keras.ops.mean(keras.ops.square(t[:, 2:-2, 2:-2] - p[:, 2:-2, 2:-2])),
    lambda t, p: np.mean((t - p)[:, 2:62, 2:62] ** 2, axis=(1, 2, 3)),   # one value per image
])
def test_4_3_accepts_the_mean_over_the_window(fn) -> None:
    assert checks.check("4.3", fn).passed


@pytest.mark.parametrize("fn, words", [
    (lambda t, p: np.mean((t - p) ** 2), "all 64x64 pixels"),
    (diluted, "divide by all 4096 pixels"),
    (lambda t, p: np.mean((t - p)[:, :60, :60] ** 2), "top-left 60x60"),
    (lambda t, p: np.mean((t - p)[:, 1:63, 1:63] ** 2), "rows and columns 2 to 61"),
])
def test_4_3_names_each_plausible_mistake(fn, words: str) -> None:
    feedback = checks.check("4.3", fn)
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


@pytest.mark.parametrize("guess, right, words", [((1, 61), True, "goes after"),
                                                 ((2, 62), False, "not the top"),
                                                 ((1, 62), False, "numbered from 0")])
def test_4_1_reveals_where_the_odd_row_goes(guess, right: bool, words: str) -> None:
    checks.predict("4.1", guess)
    feedback = checks.reveal("4.1", (1, 61))
    assert feedback.passed is right and words in feedback.message, feedback.message
