"""The fix advisor and the model doctor: from "shapes don't match" to a working fix.

>>> from helpers import fixes
>>> fixes.suggest((32, 32), (64, 64))[0].strategy
'transposed_conv'
"""

from .advisor import Cost, Fix, suggest
from .croppad import CropPad, crop_pad
from .doctor import Diagnosis, ErrorReading, diagnose, diagnose_builder, explain_error, read_error
from .junction import MergeDiagnosis, explain_merge
from .strategies import STRATEGIES, Demo, Strategy, compared_demos, demos

__all__ = [
    "Cost", "Fix", "suggest", "STRATEGIES", "Strategy", "Demo", "demos", "compared_demos",
    "CropPad", "crop_pad",
    "Diagnosis", "ErrorReading", "diagnose", "diagnose_builder", "explain_error", "read_error",
    "MergeDiagnosis", "explain_merge",
]
