"""Exercise 6.3 accepts the edit that adds no parameters, and teaches it to other answers."""

from __future__ import annotations

import pytest

keras = pytest.importorskip("keras")

from helpers import fixes  # noqa: E402
from helpers.checks import check  # noqa: E402

pytestmark = pytest.mark.both_builds  # real Keras models, traced at run time


def _valid_net():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((64, 64, 3))
    x = keras.layers.Conv2D(16, 3, activation="relu")(inputs)
    x = keras.layers.Conv2D(16, 3, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Conv2D(3, 1, activation="sigmoid")(x))


def _fix(strategy: str):
    net = _valid_net()
    found = [f for f in fixes.diagnose(net, target_shape=(64, 64)).fixes if f.strategy == strategy]
    return found[0].apply(net)


def test_the_edit_that_adds_no_parameters_is_correct() -> None:
    net = _valid_net()
    top = fixes.diagnose(net, target_shape=(64, 64)).fixes[0]
    assert top.side == "model" and top.cost.params_delta == 0
    feedback = check("6.3", top.apply(net))
    assert feedback.status == "correct" and "2,819 parameters" in feedback.message


@pytest.mark.parametrize("strategy, words", [
    ("transposed_conv", "params_delta == 0"),       # appended, learned: new random weights
    ("pad_output", "invents its border pixels"),
    ("resize_output", "resampled"),
])
def test_other_fixes_that_land_are_not_the_answer_and_say_why(strategy: str, words: str) -> None:
    feedback = check("6.3", _fix(strategy))
    assert feedback.status == "wrong" and words in feedback.message, feedback.message
