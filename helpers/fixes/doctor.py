"""The model doctor: explain a learner's own size mismatch, layer by layer, and fix it.

`diagnose(model)` traces a real Keras model against its target; `explain_error(exc)`
reads the usual Keras/TensorFlow mismatch messages and gives the same diagnosis.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from helpers.bridge import WILL_FAIL, error_text, model_specs, trace_model
from helpers.shapes import ShapeError, Trace, TraceRow

from .advisor import Fix, suggest

__all__ = ["Diagnosis", "diagnose", "explain_error", "ErrorReading", "read_error"]


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
    fixes = suggest(out, target, model_specs(model), t.input_shape) \
        if out is not None and None not in out and out != target else []
    return Diagnosis(t, target, out, departure, broadcast, fixes)


_PATTERNS = [
    ("fit_loss", re.compile(r"Dimensions must be equal, but are (\d+) and (\d+) for "
                            r"'\{\{node compile_loss/(\w+)/.*?"
                            r"input shapes: \[([^\]]*)\], \[([^\]]*)\]", re.S)),
    ("eager_loss", re.compile(r"Incompatible shapes: \[([^\]]*)\] vs\. \[([^\]]*)\]")),
    ("target_output", re.compile(r"Arguments `target` and `output` must have the same shape"
                                 r"(?P<last> up until the last dimension)?.*?target\.shape="
                                 r"\(([^)]*)\), output\.shape=\(([^)]*)\)", re.S)),
    ("concat", re.compile(r"A `Concatenate` layer requires inputs with matching shapes.*?"
                          r"input_shape=\[\(([^)]*)\), \(([^)]*)\)", re.S)),
    ("concat_op", re.compile(r"ConcatOp : Dimension \d+ in both shapes must be equal: "
                             r"shape\[0\] = \[([^\]]*)\] vs\. shape\[1\] = \[([^\]]*)\]")),
]


def _dims(text: str) -> tuple:
    return tuple(None if v.strip() in ("None", "?", "") else int(v) for v in text.split(","))


@dataclass(frozen=True)
class ErrorReading:
    """What a mismatch error says, in plain words: which sizes met, and where."""

    kind: str  # "loss" (y_true vs y_pred) or "skip" (a Concatenate)
    loss: str | None
    target_hw: tuple | None
    output_hw: tuple | None
    summary: str


def read_error(exc: BaseException | str) -> ErrorReading | None:
    """Recognise a Keras/TensorFlow size-mismatch message; None if it is not one.

    >>> read_error("Incompatible shapes: [2,32,32,1] vs. [2,16,16,1] [Op:Sub]").summary
    'the loss compared y_true of 32x32 with y_pred of 16x16'
    """
    text = error_text(exc)
    for kind, pattern in _PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        if kind == "fit_loss":
            target, output = _dims(m.group(4))[1:3], _dims(m.group(5))[1:3]
            loss = m.group(3)
        elif kind == "eager_loss":
            target, output, loss = _dims(m.group(1))[1:3], _dims(m.group(2))[1:3], None
        elif kind == "target_output":
            target, output = _dims(m.group(2))[1:3], _dims(m.group(3))[1:3]
            loss = "sparse_categorical_crossentropy" if m.group("last") else "crossentropy"
        else:
            a, b = _dims(m.group(1))[1:3], _dims(m.group(2))[1:3]
            return ErrorReading("skip", None, a, b, f"a skip connection joined a {_hw(a)} map "
                                f"with a {_hw(b)} map; concatenation needs equal sizes")
        return ErrorReading("loss", loss, target, output,
                            f"the loss compared y_true of {_hw(target)} with y_pred of "
                            f"{_hw(output)}")
    return None


def explain_error(exc: BaseException | str, model: Any = None,
                  input_shape: tuple | None = None) -> Diagnosis | ErrorReading | None:
    """Turn a size-mismatch error into a diagnosis (with the model) or a reading of it.

    With `model`, returns diagnose(model, ...) against the target size the error names;
    without, the ErrorReading; None when the message is not a size mismatch.
    """
    reading = read_error(exc)
    if reading is None or model is None:
        return reading
    if reading.kind == "skip":
        raise ShapeError(f"{reading.summary}. Trace the model at the input size that failed: "
                         "diagnose(model, input_shape=(H, W, C)) shows which layer broke it.")
    d = diagnose(model, input_shape=input_shape, target_shape=reading.target_hw)
    message = error_text(exc).splitlines()[0]
    return Diagnosis(d.trace, d.target_hw, d.output_hw, d.departure, d.broadcast, d.fixes,
                     message[:300])
