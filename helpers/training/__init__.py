"""Training, in seconds and the same way every time, and honest comparisons.

`train(model, (x, y))` refuses a model whose output is not the target's size (even
the silent size-1 broadcast) and trains with a live loss curve (fit.py, live.py);
`psnr`, `class_iou`, `mean_iou`, `grid_strength` (the checkerboard), `tiers` (what several
seeds can and cannot rank) and `compare` put strategies side by side (metrics.py).
Keras is imported inside the functions: importing this package stays cheap.

>>> psnr(np.zeros((1, 4, 4, 1)), np.full((1, 4, 4, 1), 0.1))
20.0
"""

from helpers.errors import ShapeMismatchError, TrainingError

from .fit import compile_for, train
from .losses import check_target, masked_loss, shape_checked
from .metrics import (
    Comparison,
    History,
    class_iou,
    compare,
    grid_strength,
    mean_iou,
    psnr,
    tiers,
)

__all__ = [
    "train", "check_target", "shape_checked", "masked_loss", "compile_for",
    "psnr", "class_iou", "mean_iou", "tiers", "grid_strength", "compare", "Comparison", "History",
    "TrainingError", "ShapeMismatchError",
]

import numpy as np  # noqa: E402,F401  (for the doctest above)
