"""Predict, then reveal (helpers.checks.predict): the truth shows only after a prediction is
on record, and the first prediction is the one that counts."""

from __future__ import annotations

import pytest

from helpers import checks
from helpers.checks import Verdict, prediction


@checks.question("9.5", "how many pixels survive")
def _survive(prediction, truth) -> Verdict:
    return Verdict(prediction == truth, "Counted." if prediction == truth else "Count again.")


@pytest.fixture(autouse=True)
def _forget() -> None:
    prediction._RECORD.pop("9.5", None)


def test_reveal_withholds_the_truth_until_a_prediction_is_recorded() -> None:
    shown = checks.reveal("9.5", 37)
    assert shown.status == "not done yet" and "37" not in shown.message
    assert checks.predict("9.5", None).status == "not done yet"
    assert checks.reveal("9.5", 37).status == "not done yet"


def test_a_recorded_prediction_is_compared_with_the_run_and_the_first_one_stands() -> None:
    assert checks.predict("9.5", 38).status == "recorded"
    wrong = checks.reveal("9.5", 37)
    assert (wrong.status, "37" in wrong.message, "38" in wrong.message) == ("wrong", True, True)
    again = checks.predict("9.5", 37)   # after the truth: the record keeps 38
    assert "38" in again.message and checks.predictions()["9.5"] == 38
    assert checks.reveal("9.5", 37).status == "wrong"


def test_feedback_text_is_what_the_notebook_tests_read() -> None:
    checks.predict("9.5", 37)
    assert str(checks.reveal("9.5", 37)).startswith("Exercise 9.5 (how many pixels survive): "
                                                    "✓ Correct.")


def test_an_unknown_question_names_the_known_ones() -> None:
    with pytest.raises(checks.CheckError, match="not a predict-then-reveal question"):
        checks.predict("99.9", 1)
