"""Exercise checks: `check("2.1", answer)` says correct, not yet (with a hint), or not done.

Predict-then-reveal questions: `predict("0.2", guess)` records a guess, and the next
cell's `reveal("0.2", truth)` shows the truth beside it (prediction.py).

One module per notebook (nb00.py, nb01.py, ...) registers its exercises; a check
never prints the solution, only what was expected in words and a hint.

>>> from helpers.checks import check
>>> check("0.3", None).status
'not done yet'
"""

from .core import CheckError, Feedback, Verdict, check, exercise
from .prediction import predict, predictions, question, reveal

__all__ = ["check", "exercise", "predict", "reveal", "question", "predictions", "Verdict",
           "Feedback", "CheckError"]
