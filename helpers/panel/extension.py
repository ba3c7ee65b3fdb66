"""Register the doctor with IPython: after the normal traceback of a failing cell, the
panel (widgets in a kernel, text in a terminal). No tracing hook, no patch of Keras:
IPython's own custom-exception handler, called only when a cell raises. `last` is the
last panel shown (its `apply(i)` is what fix button i does).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["load", "unload", "show", "last"]

last: Any = None  # the last DoctorPanel shown in this kernel


def _in_kernel(shell: Any) -> bool:
    return hasattr(shell, "kernel")


def show(shell: Any, exc: BaseException) -> None:
    """Display the panel for exc under the cell (nothing for an error it does not read)."""
    if _in_kernel(shell):
        from IPython.display import display

        from .panel import doctor_panel

        global last
        panel = doctor_panel(exc, namespace=shell.user_ns)
        if panel is not None:
            last = panel
            display(panel)
    else:
        from .panel import panel_text

        text = panel_text(exc)
        if text is not None:
            print(text, file=sys.stdout)


def _handler(shell: Any, etype: type, value: BaseException, tb: Any,
             tb_offset: int | None = None) -> None:
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
    try:
        show(shell, value)
    except Exception:  # noqa: BLE001 - the panel adds to the error; it never adds its own
        pass


def load(shell: Any) -> None:
    """Show the doctor's panel under every failing cell of this shell."""
    shell.set_custom_exc((Exception,), _handler)


def unload(shell: Any) -> None:
    """Back to IPython's own tracebacks."""
    shell.set_custom_exc((), None)
