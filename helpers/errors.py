"""Every error helpers raises on bad input: one ValueError subclass per part of the lab.

Each message names the parameter, the value and a fix. Catch `ValueError` to catch
them all, or the one of the part you call. The pure part (`helpers.shapes`) and
everything above it import their error from here, so this module imports nothing.

>>> issubclass(ShapeMismatchError, TrainingError) and issubclass(ShapeError, ValueError)
True
"""

from __future__ import annotations

__all__ = ["ShapeError", "ModelError", "TrainingError", "ShapeMismatchError", "DataError",
           "PlotError", "CheckError", "LabkitError"]


class ShapeError(ValueError):
    """A layer configuration that Keras refuses or that would fail when run."""


class ModelError(ValueError):
    """A model builder got an argument it cannot build from."""


class TrainingError(ValueError):
    """Training cannot start with these arguments."""


class ShapeMismatchError(TrainingError):
    """The model's output and the target differ in shape (or would silently broadcast)."""


class DataError(ValueError):
    """A dataset file is missing or damaged, or a data argument is invalid."""


class PlotError(ValueError):
    """A plotting argument that cannot be drawn; the message names it and the fix."""


class CheckError(ValueError):
    """An unknown exercise id; the message lists the known ones."""


class LabkitError(ValueError):
    """A notebook whose solution markers do not pair up."""
