"""The doctor's panel for one exception: HTML and a button per fix, or the same as text.

>>> print(panel_text(ValueError("unrelated")))
None
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w

from helpers.bridge import error_text, model_in_traceback
from helpers.fixes import Diagnosis, ErrorReading, Fix, MergeDiagnosis, explain_error
from helpers.widgets.common import message_html

__all__ = ["DoctorPanel", "doctor_panel", "panel_text", "read_exception"]

MOST = 6  # buttons for the best fixes; the rest are listed in the diagnosis above them
Result = Diagnosis | MergeDiagnosis | ErrorReading


def read_exception(exc: BaseException, model: Any = None) -> tuple[Result | None, Any]:
    """(the doctor's reading of exc, the model it is about): explain_error on the model
    found in the traceback (or given); (None, None) when exc is not a size mismatch.
    Never raises: the panel must not add an error of its own under the learner's."""
    try:
        found, shape = model_in_traceback(exc)
        if model is None:
            model = found
        shape = shape if model is found else None
        return explain_error(exc, model=model, input_shape=shape), model
    except Exception:  # noqa: BLE001 - a reading that fails is no reading; the error stands
        return None, None


def _first_line(exc: BaseException) -> str:
    lines = [x for x in error_text(exc).splitlines() if x.strip()
             and not x.startswith("Exception encountered")]
    return f"{type(exc).__name__}: {(lines or [''])[0][:300]}"


def _advice(result: Result, model: Any) -> str:
    if isinstance(result, ErrorReading):
        return ("The doctor could not find the model in the traceback. Pass it: "
                "fixes.explain_error(sys.last_value, model=your_model).")
    if model is None and not getattr(result, "fixes", ()):
        return ("To get fixes you can apply, build the model on keras.Input((None, None, C)) "
                "or pass its builder: fixes.diagnose(build, input_shape=(H, W, C)).")
    return ""


def panel_text(exc: BaseException, model: Any = None) -> str | None:
    """The panel as plain text (a terminal IPython), or None for an error it does not read.

    >>> "The doctor" in panel_text(ValueError("Incompatible shapes: [2,32,32,1] vs. [2,16,16,1]"))
    True
    """
    result, model = read_exception(exc, model)
    return None if result is None else _text(exc, result, model)


def _text(exc: BaseException, result: Result, model: Any) -> str:
    body = str(result) if not isinstance(result, ErrorReading) else result.summary
    said = "" if getattr(result, "error", "") else _first_line(exc)  # else it says it itself
    return "\n".join(x for x in ["-" * 20 + " The doctor " + "-" * 20, said, body,
                                 _advice(result, model)] if x)


class DoctorPanel(w.VBox):
    """The panel under a failing cell; `apply(i)` is what fix button i does.

    `namespace` is where the fixed model is bound (the learner's globals in a kernel).
    """

    def __init__(self, exc: BaseException, result: Result, model: Any,
                 namespace: dict | None = None) -> None:
        self.exc, self.result, self.model = exc, result, model
        self.namespace = namespace if namespace is not None else {}
        self.fixes: list[Fix] = list(getattr(result, "fixes", ()))[:MOST] if model else []
        self.outcome = w.HTML()
        head = (f'<div style="color:#222222;background:#fff8e1;padding:4px 8px;'
                f'border-left:4px solid #b2182b"><b>The doctor read this error:</b> '
                f"<code>{html.escape(_first_line(exc))}</code> (the full traceback is above)"
                "</div>")
        body = (result._repr_html_() if hasattr(result, "_repr_html_")
                else message_html(result.summary, "info", "Read"))
        advice = _advice(result, model)
        self.static = head + (f'<div style="background:#ffffff;color:#222222;padding:4px 8px">'
                              f"{body}</div>")
        self.text = _text(exc, result, model)
        parts: list[Any] = [w.HTML(self.static)]
        if advice:
            parts.append(w.HTML(message_html(advice, "info", "Next")))
        buttons = []
        for i, fix in enumerate(self.fixes, 1):
            b = w.Button(description=f"apply fix {i}: {fix.label}",
                         tooltip=str(fix)[:300], layout=w.Layout(width="auto"))
            b.on_click(lambda _, i=i: self.apply(i))
            buttons.append(b)
        if buttons:
            parts.append(w.HBox(buttons, layout=w.Layout(flex_flow="row wrap")))
        super().__init__([*parts, self.outcome])
        self.add_class("cnnlab-doctor-panel")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        """The widget where widgets render; the same panel as HTML (without buttons) and
        as text where they do not (a static export, a viewer without the widget manager)."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        return {**bundle, "text/html": self.static, "text/plain": self.text}

    def apply(self, i: int) -> Any:
        """Apply fix i (1 = the best) to the learner's model, bind `fixed_model` (and
        `chosen_fix`) in the namespace, say what came out, and return the fixed model."""
        if not 1 <= i <= len(self.fixes):
            raise ValueError(f"i={i!r}: this panel has fixes 1 to {len(self.fixes)}.")
        fix = self.fixes[i - 1]
        try:
            fixed = fix.apply(self.model)
        except Exception as e:  # noqa: BLE001 - say it where the learner looks
            self.outcome.value = message_html(f"fix {i} could not be applied: {e}",
                                              title="Not applied")
            return None
        self.namespace["fixed_model"], self.namespace["chosen_fix"] = fixed, fix
        out = "x".join(str(v) for v in fixed.output_shape[1:3])
        retarget = (" Transform the targets too: y = chosen_fix.transform_target(y)."
                    if fix.way.retarget is not None else "")
        self.outcome.value = message_html(
            f"fixed_model = fix {i} ({fix.label}) applied to '{self.model.name}': its output "
            f"is {out}.{retarget} Compile and train fixed_model.", "ok", "Applied")
        return fixed


def doctor_panel(exc: BaseException, model: Any = None,
                 namespace: dict | None = None) -> DoctorPanel | None:
    """The panel for exc (None when the doctor does not read it as a size mismatch)."""
    result, model = read_exception(exc, model)
    return None if result is None else DoctorPanel(exc, result, model, namespace)
