"""Predict, then reveal: the learner commits to an answer before a cell shows the truth.

A question is registered with `@question(id, title)` as `fn(prediction, truth) -> Verdict`.
In the notebook, one cell records the prediction, the next computes the truth and
passes it to `reveal`, which shows it only if a prediction is on record:

    checks.predict("0.2", 37)                      # "Recorded: 37 ..."
    checks.reveal("0.2", model.output_shape[1])    # "Keras gives 37; you predicted 37 ..."

The first prediction made before the reveal is the one that counts: predicting again
after the truth is shown does not change the record (`predictions()` returns it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpers.errors import CheckError

from .core import Feedback, Verdict

__all__ = ["question", "predict", "reveal", "predictions", "QUESTIONS"]

QUESTIONS: dict[str, tuple[str, Callable[[Any, Any], Verdict]]] = {}
_RECORD: dict[str, dict[str, Any]] = {}  # id -> {"prediction": ..., "revealed": bool}


def question(question_id: str, title: str) -> Callable:
    """Decorator: register `fn(prediction, truth) -> Verdict` as a predict-then-reveal question.

    >>> @question("9.8", "guess a number")
    ... def _(prediction, truth):
    ...     return Verdict(prediction == truth, "Right." if prediction == truth else "Recount.")
    >>> _ = predict("9.8", 4); reveal("9.8", 4).passed
    True
    """
    def register(fn: Callable[[Any, Any], Verdict]) -> Callable[[Any, Any], Verdict]:
        QUESTIONS[question_id] = (title, fn)
        return fn
    return register


def _title(question_id: str) -> str:
    if question_id not in QUESTIONS:
        from .core import _register_all

        _register_all()
    if question_id not in QUESTIONS:
        known = ", ".join(sorted(QUESTIONS)) or "none"
        raise CheckError(f"question_id={question_id!r} is not a predict-then-reveal question; "
                         f"known: {known}.")
    return QUESTIONS[question_id][0]


def predict(question_id: str, prediction: Any) -> Feedback:
    """Record a prediction (None: not made yet); the truth stays hidden until reveal().

    >>> _ = question("9.7", "a demo")(lambda prediction, truth: Verdict(True, ""))
    >>> predict("9.7", None).status
    'not done yet'
    """
    title = _title(question_id)
    if prediction is None or prediction is Ellipsis:
        return Feedback(question_id, title, "not done yet",
                        "Replace None with your prediction and run the cell: commit first, "
                        "then the next cell reveals the truth.")
    record = _RECORD.get(question_id)
    if record and record["revealed"]:
        return Feedback(question_id, title, "recorded",
                        f"The truth is already shown; your first prediction, "
                        f"{record['prediction']!r}, stays on record.")
    _RECORD[question_id] = {"prediction": prediction, "revealed": False}
    return Feedback(question_id, title, "recorded",
                    f"Recorded: {prediction!r}. Run the next cell to see what really happens.")


def reveal(question_id: str, truth: Any) -> Feedback:
    """The truth (computed by the cell) beside the recorded prediction, with why.

    Without a recorded prediction the truth stays hidden.

    >>> _ = question("9.6", "a demo")(lambda prediction, truth: Verdict(True, ""))
    >>> reveal("9.6", 37).status   # nothing predicted yet
    'not done yet'
    """
    title = _title(question_id)
    record = _RECORD.get(question_id)
    if record is None:
        return Feedback(question_id, title, "not done yet",
                        "Make your prediction in the cell above first; the answer stays "
                        "hidden until you have committed to one.")
    record["revealed"] = True
    prediction = record["prediction"]
    try:
        verdict = QUESTIONS[question_id][1](prediction, truth)
    except Exception as e:  # noqa: BLE001 - an odd prediction is feedback, not a crash
        verdict = Verdict(False, f"Your prediction could not be compared ({type(e).__name__}: "
                                 f"{e}).")
    return Feedback(question_id, title, "correct" if verdict.correct else "wrong",
                    f"The run gives {truth!r}; you predicted {prediction!r}. {verdict.message}")


def predictions() -> dict[str, Any]:
    """Every prediction on record in this session, by question id (for an instructor's tally).

    >>> isinstance(predictions(), dict)
    True
    """
    return {qid: r["prediction"] for qid, r in _RECORD.items()}
