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


def _after_cell(result: Any) -> None:
    """After a cell that ran without an error: say so if one of its fits broadcast."""
    source = getattr(getattr(result, "info", None), "raw_cell", "") or ""
    if not getattr(result, "success", False) or ".fit(" not in source:
        return
    try:
        from IPython import get_ipython

        from .broadcast import silent_broadcasts

        for text in silent_broadcasts(source, get_ipython().user_ns):
            _say(text)
    except Exception:  # noqa: BLE001 - the check adds words; it never adds an error
        pass


def _say(text: str) -> None:
    from IPython import get_ipython

    from helpers.widgets.common import message_html

    if _in_kernel(get_ipython()):
        from IPython.display import HTML, display

        display(HTML(message_html(text, "error", "Silent broadcast")))
    else:
        print(f"Silent broadcast: {text}")


def load(shell: Any) -> None:
    """Show the doctor's panel under every failing cell of this shell, and say so after a
    cell whose fit broadcast a size-1 output over its target."""
    shell.set_custom_exc((Exception,), _handler)
    if _after_cell not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _after_cell)


def unload(shell: Any) -> None:
    """Back to IPython's own tracebacks."""
    shell.set_custom_exc((), None)
    if _after_cell in shell.events.callbacks["post_run_cell"]:
        shell.events.unregister("post_run_cell", _after_cell)
