"""The model doctor: explain a learner's own size mismatch, layer by layer, and fix it.

`diagnose(model)` traces a real Keras model against its target; `explain_error(exc)`
reads the usual Keras/TensorFlow mismatch messages (fixes/reading.py) and gives the same
diagnosis, or for a merge or skip error the merge's (fixes/junction.py).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from typing import Any

from helpers.bridge import WILL_FAIL, error_text, trace_model
from helpers.shapes import ShapeError, Trace, TraceRow

from .advisor import Fix, suggest
from .junction import MergeDiagnosis, explain_merge
from .reading import ErrorReading, read_error

__all__ = ["Diagnosis", "diagnose", "explain_error", "ErrorReading", "read_error",
           "MergeDiagnosis"]


@dataclass(frozen=True)
class Diagnosis:
    """What a model does to the spatial size, where it departs from the target, and fixes."""

    trace: Trace
    target_hw: tuple[int, int]
    output_hw: tuple[int, int] | None
    departure: TraceRow | None  # the first layer whose output is not the target size
    broadcast: bool  # a size-1 output axis would be broadcast over the target, silently
    fixes: list[Fix] = field(default_factory=list)
    error: str = ""  # the original error message, when made by explain_error

    @property
    def matches(self) -> bool:
        """True when the output's spatial size equals the target's."""
        return self.output_hw == self.target_hw

    def _lines(self) -> list[str]:
        out = "x".join(map(str, self.output_hw)) if self.output_hw else "not a feature map"
        lines = [f"output {out} vs target {self.target_hw[0]}x{self.target_hw[1]}: "
                 + ("sizes match." if self.matches else "MISMATCH.")]
        if self.error:
            lines.insert(0, f"Keras said: {self.error}")
        for row in self.trace.changed:
            lines.append(f"  {row.name} ({row.kind}) changes {_hw(row.spatial_in)} -> "
                         f"{_hw(row.spatial_out)}: {row.formula}")
        for row in self.trace.rows:
            if row.formula.startswith(WILL_FAIL) and row not in self.trace.changed:
                lines.append(f"  {row.name} ({row.kind}) {row.formula}")
        if self.departure is not None and not self.matches:
            lines.append(f"First departure from the target size: layer '{self.departure.name}' "
                         f"({self.departure.kind}), output {_hw(self.departure.spatial_out)}.")
        if self.broadcast:
            lines.append("Silent broadcast: an output axis of size 1 is stretched over the "
                         "target by MSE, so fit() trains without any error but learns one value "
                         "for the whole map. Use helpers.training.shape_checked(loss).")
        for i, fix in enumerate(self.fixes, 1):
            lines.append(f"  fix {i}. {fix}")
        return lines

    def __str__(self) -> str:
        return "\n".join(self._lines())

    __repr__ = __str__  # plain consoles show the table, not the fields

    def _repr_html_(self) -> str:
        lines = self._lines()
        colour = "#1b7837" if self.matches and not self.broadcast else "#b2182b"
        items = "".join(f"<li>{html.escape(x.strip())}</li>" for x in lines[1:])
        return (f'<div><p style="color:{colour}"><b>{html.escape(lines[0])}</b></p>'
                f"<ul>{items}</ul>{self.trace._repr_html_()}</div>")


def _hw(hw: tuple | None) -> str:
    return "?" if hw is None else "x".join(map(str, hw))


def diagnose(model: Any, input_shape: tuple | None = None,
             target_shape: tuple | None = None) -> Diagnosis:
    """Trace a Keras model and compare its output with the target's spatial size.

    target_shape defaults to the input's (an image-to-image model); give (H, W) or
    (H, W, C). input_shape traces a model built on keras.Input((None, None, C)).
    """
    t = trace_model(model, input_shape)
    if target_shape is None:
        target_shape = t.input_shape
    if len(target_shape) not in (2, 3) or None in tuple(target_shape)[:2]:
        raise ShapeError(f"target_shape={target_shape!r} must be (H, W) or (H, W, C) with "
                         "numbers; for a model on (None, None, C), pass input_shape too.")
    target = (int(target_shape[0]), int(target_shape[1]))
    out = t.rows[-1].spatial_out if t.rows else t.input_shape[:2]
    departure = next((r for r in t.rows if r.spatial_out is not None
                      and r.spatial_out != target and r.kind != "InputLayer"), None)
    broadcast = out is not None and out != target and any(
        o == 1 and g > 1 for o, g in zip(out, target))
    fixes = suggest(out, target) if out is not None and None not in out and out != target else []
    return Diagnosis(t, target, out, departure, broadcast, fixes)


def explain_error(exc: BaseException | str, model: Any = None,
                  input_shape: tuple | None = None,
                  ) -> Diagnosis | MergeDiagnosis | ErrorReading | None:
    """Turn a size-mismatch error into a diagnosis (with the model) or a reading of it.

    Without `model`: the ErrorReading. With it: for a loss, diagnose(model, ...) against
    the target size the error names; for a skip or merge error, explain_merge's
    MergeDiagnosis (the merge, both branches' sizes, the layer on each branch that made
    them differ, the input sizes that work, the fixes). None when the message is not a
    size mismatch; never an exception over one it recognised (when the model cannot be
    traced, the reading comes back with why in its summary). Wrong argument types get a
    ShapeError naming the argument.

    >>> explain_error("Incompatible shapes: [2,32,32,1] vs. [2,16,16,1]").kind
    'loss'
    """
    reading = read_error(exc)
    if model is not None and not hasattr(model, "layers"):
        raise ShapeError(f"model={model!r} must be the Keras model that raised the error "
                         "(or None for a reading of the message alone).")
    if input_shape is not None and (not isinstance(input_shape, (tuple, list))
                                    or len(input_shape) not in (2, 3)):
        raise ShapeError(f"input_shape={input_shape!r} must be (H, W) or (H, W, C), the input "
                         "that failed, e.g. input_shape=(75, 75, 3).")
    if reading is None or model is None:
        return reading
    lines = [x for x in error_text(exc).splitlines()
             if x.strip() and not x.startswith("Exception encountered")]
    message = (lines or [""])[0][:300]  # the line with the sizes, not Keras's preamble
    if reading.kind in ("skip", "merge"):
        return explain_merge(reading, model, input_shape, message)
    try:
        out_hw = tuple(model.output_shape[1:3])
        if out_hw == reading.target_hw != reading.output_hw:  # an eager y_pred - y_true
            reading = replace(reading, target_hw=reading.output_hw, output_hw=out_hw)
        d = diagnose(model, input_shape=input_shape, target_shape=reading.target_hw)
    except Exception as e:  # noqa: BLE001 - Keras/TF raise many types; the reading stands
        return replace(reading, summary=f"{reading.summary} (the model could not be traced: "
                       f"{error_text(e).splitlines()[0][:200]}; give input_shape=(H, W, C))")
    return Diagnosis(d.trace, d.target_hw, d.output_hw, d.departure, d.broadcast, d.fixes,
                     message)
