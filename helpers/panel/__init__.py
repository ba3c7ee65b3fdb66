"""The doctor in every cell: an IPython extension that adds the doctor's panel under a
cell whose error is a size mismatch it recognises (`%load_ext helpers`, or on by default
after `helpers.setup()` in a kernel; `helpers.setup(doctor=False)` or
`%unload_ext helpers` turns it off).

The real error is shown first, as always; the panel only adds: the two sizes, the layer
table up to the failure with the culprit marked, the ranked fixes, and a button per fix
that applies it to the learner's own model (found in the traceback's frames) and binds
the result to `fixed_model`. A plain terminal IPython gets the same content as text.
"""

from .extension import load, unload
from .panel import DoctorPanel, doctor_panel, panel_text

__all__ = ["load", "unload", "DoctorPanel", "doctor_panel", "panel_text"]
