"""Notebook 03's checks on real arrays: the honest target transforms pass, and the ones a
learner plausibly writes first fail with a hint that names their mistake."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import checks
from helpers.checks import prediction
from helpers.data import downsample

keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True)
def _forget_predictions() -> None:
    prediction._RECORD.clear()


def resize(y, antialias=False):
    return keras.ops.image.resize(y, (16, 16), "bilinear", antialias=antialias)


@pytest.mark.both_builds
@pytest.mark.parametrize("shrink", [
    lambda y: keras.layers.AveragePooling2D(4)(y),
    lambda y: y.reshape(len(y), 16, 4, 16, 4, 3).mean(axis=(2, 4)),
    lambda y: keras.ops.average_pool(y, 4, 4),
    lambda y: downsample(y, 4, "area"),
])
def test_3_1_accepts_every_way_of_taking_the_block_mean(shrink) -> None:
    assert checks.check("3.1", shrink).passed


@pytest.mark.both_builds
@pytest.mark.parametrize("shrink, words", [
    (lambda y: y[:, 24:40, 24:40], "a crop compares it with a pixel far away"),
    (lambda y: y[:, ::4, ::4], "keeps 1 pixel of 16"),
    (lambda y: y[:, 2::4, 2::4], "keeps 1 pixel of 16"),
    (lambda y: keras.layers.MaxPooling2D(4)(y), "brighter"),
    (lambda y: resize(y), "bilinear resize reads only the pixels near"),
    (lambda y: resize(y, antialias=True), "antialiased"),
    (lambda y: keras.layers.AveragePooling2D(2)(y), "(3, 32, 32, 3)"),
])
def test_3_1_names_each_plausible_mistake(shrink, words: str) -> None:
    feedback = checks.check("3.1", shrink)
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


def test_3_1_wants_a_function() -> None:
    assert "answer with a function" in checks.check("3.1", np.zeros((1, 16, 16, 3))).message


def majority(m):
    n, h, w = m.shape
    blocks = m.reshape(n, h // 4, 4, w // 4, 4)
    return np.stack([(blocks == c).sum(axis=(2, 4)) for c in range(4)], axis=-1).argmax(-1)


@pytest.mark.parametrize("shrink, ok", [
    (majority, True),
    (lambda m: downsample(m, 4, "mode"), True),
    (lambda m: m[:, 2::4, 2::4], True),
])
def test_3_3_accepts_a_class_that_is_in_the_block(shrink, ok: bool) -> None:
    assert checks.check("3.3", shrink).passed is ok


@pytest.mark.both_builds
@pytest.mark.parametrize("shrink, words", [
    (lambda m: np.round(keras.ops.convert_to_numpy(resize(m[..., None].astype("float32"))))[
        ..., 0].astype("int32"), "invents classes"),
    (lambda m: m.reshape(len(m), 16, 4, 16, 4).mean(axis=(2, 4)), "whole numbers"),
    (lambda m: np.round(m.reshape(len(m), 16, 4, 16, 4).mean(axis=(2, 4))).astype(int),
     "invents classes"),
    (lambda m: downsample(m, 4, "max"), "wins every border block"),
    (lambda m: m[:, ::2, ::2], "(32, 32, 32)"),
])
def test_3_3_names_each_plausible_mistake(shrink, words: str) -> None:
    feedback = checks.check("3.3", shrink)
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


@pytest.mark.parametrize("guess, right, words", [
    ([0, 1, 2, 3], True, "names, not amounts"),
    ((3, 2, 1, 0), True, "names, not amounts"),
    ([0, 3], False, "passes through 1 and 2"),
    ([0, 1, 3], False, "weighted means"),
])
def test_3_2_reveals_the_invented_ids(guess, right: bool, words: str) -> None:
    checks.predict("3.2", guess)
    feedback = checks.reveal("3.2", [0, 1, 2, 3])
    assert feedback.passed is right and words in feedback.message, feedback.message
