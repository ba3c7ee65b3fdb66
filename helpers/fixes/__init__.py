"""The fix advisor and the model doctor: from "shapes don't match" to a working fix.

>>> from helpers import fixes
>>> fixes.suggest((32, 32), (64, 64))[0].strategy
'transposed_conv'
"""

from .advisor import Cost, Fix, suggest
from .doctor import Diagnosis, ErrorReading, diagnose, explain_error, read_error

__all__ = [
    "Cost", "Fix", "suggest",
    "Diagnosis", "ErrorReading", "diagnose", "explain_error", "read_error",
]
