"""The fix advisor and the model doctor: from "shapes don't match" to a working fix.

>>> from helpers import fixes
>>> fixes.suggest((32, 32), (64, 64))[0].strategy
'transposed_conv'
"""

from .advisor import Cost, Fix, suggest
from .decoder import PadPlan, mirror_decoder, pad_to_valid, valid_input_sizes
from .doctor import Diagnosis, ErrorReading, diagnose, explain_error, read_error
from .landing import land, land_pair

__all__ = [
    "Cost", "Fix", "suggest", "land", "land_pair",
    "mirror_decoder", "valid_input_sizes", "pad_to_valid", "PadPlan",
    "Diagnosis", "ErrorReading", "diagnose", "explain_error", "read_error",
]
