"""The machinery behind exercise checks: a registry, and feedback that teaches.

An exercise is a function `(answer) -> Verdict` registered under an id like
"2.1". A check never prints the solution: it says what was expected in words
and gives a hint. `None` (or `...`) means the learner has not answered yet.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers.errors import CheckError

__all__ = ["Verdict", "Feedback", "exercise", "check", "EXERCISES", "CheckError", "not_a_model",
           "layer_kinds", "as_number"]

EXERCISES: dict[str, tuple[str, Callable[[Any], Verdict]]] = {}


@dataclass(frozen=True)
class Verdict:
    """The result of checking one answer: right or not, and what to say."""

    correct: bool
    message: str


@dataclass(frozen=True)
class Feedback:
    """What check() returns: prints as text, renders as a coloured box in Jupyter."""

    exercise: str
    title: str
    status: str  # "correct", "wrong", "not done yet" or "recorded" (a prediction)
    message: str

    @property
    def passed(self) -> bool:
        """True for a correct answer."""
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = {"correct": "✓ Correct", "wrong": "✗ Not yet", "not done yet": "… not done yet",
                "recorded": "● Recorded"}
        return f"Exercise {self.exercise} ({self.title}): {mark[self.status]}. {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = {"correct": "#009E73", "wrong": "#D55E00", "not done yet": "#0072B2",
                  "recorded": "#666666"}[self.status]
        return (f'<div style="border-left:4px solid {colour};padding:6px 10px;margin:4px 0">'
                f"{html.escape(str(self))}</div>")


def not_a_model(answer: Any, built_on: str = "keras.Input(...)") -> Verdict | None:
    """A "not yet" verdict unless the answer is a Keras model; None when it is one.

    >>> not_a_model(3, "keras.Input((28, 28, 1))").message[:62]
    'Answer with a keras.Model built on keras.Input((28, 28, 1)): a'
    """
    if hasattr(answer, "layers") and hasattr(answer, "output_shape"):
        return None
    return Verdict(False, f"Answer with a keras.Model built on {built_on}: "
                          "answer = keras.Model(inputs, outputs).")


def said(error: BaseException, limit: int = 200) -> str:
    """What an error said, for a hint: its type and the first line of its message.

    >>> said(ValueError("Inputs have incompatible shapes.\\nmore"))
    'ValueError: Inputs have incompatible shapes.'
    """
    text = str(error)
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"[:limit]


def built_by(builder: Any, name: str, built_on: str) -> Any:
    """The Keras model that the learner's builder function makes, built with Keras seeded
    at 0 (so a check that trains it gets the same model every time); or a "not yet"
    Verdict that says what went wrong.

    >>> built_by(3, "my_fix", "keras.Input((32, 32, 3))").message[:47]
    'Answer with the function that builds your model'
    """
    if not callable(builder) or hasattr(builder, "layers"):
        return Verdict(False, f"Answer with the function that builds your model: answer = {name} "
                              "(no brackets). The check builds it, then trains it.")
    import keras

    keras.utils.set_random_seed(0)
    try:
        model = builder()
    except Exception as e:  # noqa: BLE001 - whatever the learner's code raises is the hint
        return Verdict(False, f"{name}() fails: {said(e, 230 - len(name))}")
    return not_a_model(model, built_on) or model


def trained_score(model: Any, train: tuple, test: tuple, budget: dict,
                  score: Callable[[Any, Any], float]) -> float:
    """score(y_test, predictions) after training `model` on train = (x, y) with
    budget = {"epochs", "batch_size", "lr"}: Keras seeded at 0, batches in order, so the
    same model gives the same number on every call. Integer targets train a segmentation
    (cross-entropy on logits), float ones an image (MSE), as `training.train` does.
    """
    import keras

    from helpers.training import compile_for

    (x, y), (x_test, y_test) = train, test
    compile_for(model, "segmentation" if np.issubdtype(y.dtype, np.integer) else "image",
                budget["lr"])
    keras.utils.set_random_seed(0)
    model.fit(x, y, epochs=budget["epochs"], batch_size=budget["batch_size"], shuffle=False,
              verbose=0)
    return score(y_test, np.asarray(model.predict(x_test, verbose=0)))


def layer_kinds(model: Any) -> list[str]:
    """The class names of a Keras model's layers, in order, its Input left out.

    >>> layer_kinds(type("M", (), {"layers": []})())
    []
    """
    return [type(layer).__name__ for layer in model.layers if type(layer).__name__ != "InputLayer"]


def as_number(prediction: Any) -> float:
    """A numeric prediction as a float; TypeError (shown as feedback) for anything else.

    >>> as_number(37)
    37.0
    """
    if isinstance(prediction, bool) or not isinstance(prediction, (int, float, np.integer,
                                                                    np.floating)):
        raise TypeError(f"predict a number (you gave {type(prediction).__name__})")
    return float(prediction)


_REMEMBER: set[str] = set()                      # exercises whose verdicts are kept
_VERDICTS: dict[str, tuple[Any, Verdict]] = {}   # exercise id -> (the answer, its verdict)


def exercise(exercise_id: str, title: str, remember: bool = False) -> Callable:
    """Decorator: register `fn(answer) -> Verdict` as the check for exercise_id.

    `remember=True` keeps the last verdict: checking the very same answer object again
    returns it without running the check (for a check that trains a model from the
    learner's builder function, which gives the same model every time).

    >>> @exercise("9.9", "the answer to everything")
    ... def _(answer):
    ...     return Verdict(answer == 42, "42, as computed." if answer == 42 else "Count again.")
    >>> check("9.9", 42).passed
    True
    """
    def register(fn: Callable[[Any], Verdict]) -> Callable[[Any], Verdict]:
        EXERCISES[exercise_id] = (title, fn)
        if remember:
            _REMEMBER.add(exercise_id)
        return fn
    return register


def _register_all() -> None:
    """Import every notebook's check module (helpers/checks/nb*.py): they register themselves."""
    import importlib
    import pkgutil
    from pathlib import Path

    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("nb"):
            importlib.import_module(f"{__package__}.{module.name}")


def check(exercise_id: str, answer: Any) -> Feedback:
    """Check an answer and return feedback (displayed by Jupyter when it is the cell's value).

    >>> check("0.3", None).status
    'not done yet'
    """
    if exercise_id not in EXERCISES:
        _register_all()

    if exercise_id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        raise CheckError(f"exercise_id={exercise_id!r} is not an exercise; known: {known}.")
    title, fn = EXERCISES[exercise_id]
    if answer is None or answer is Ellipsis:
        return Feedback(exercise_id, title, "not done yet",
                        "Replace None with your answer and run the cell again.")
    kept = _VERDICTS.get(exercise_id)
    if kept is not None and kept[0] is answer:
        verdict = kept[1]
    else:
        try:
            verdict = fn(answer)
        except Exception as e:  # noqa: BLE001 - a wrong kind of answer is feedback, not a crash
            return Feedback(exercise_id, title, "wrong",
                            f"That answer could not be checked ({type(e).__name__}: {e}).")
        if exercise_id in _REMEMBER:
            _VERDICTS[exercise_id] = (answer, verdict)
    return Feedback(exercise_id, title, "correct" if verdict.correct else "wrong",
                    verdict.message)
