"""Exercise checks: `check("2.1", answer)` says correct, not yet (with a hint), or not done.

One module per notebook (nb00.py, nb01.py, ...) registers its exercises; a check
never prints the solution, only what was expected in words and a hint.

>>> from helpers.checks import check
>>> check("0.1", None).status
'not done yet'
"""

from .core import CheckError, Feedback, Verdict, check, exercise

__all__ = ["check", "exercise", "Verdict", "Feedback", "CheckError"]
