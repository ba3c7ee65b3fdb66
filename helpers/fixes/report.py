"""The doctor's reports as HTML: a verdict line in its colour, then the details, on a
background of their own, so they read the same in JupyterLab's light and dark themes.

>>> "background:#FFFFFF" in report_html(["MISMATCH.", "a detail"], "#b2182b")
True
"""

from __future__ import annotations

import html

__all__ = ["report_html"]


def report_html(lines: list[str], colour: str, extra: str = "") -> str:
    """lines[0] in bold `colour`, the other lines as a list, then `extra` (HTML, e.g. the
    trace table, which takes the theme's own table colours)."""
    items = "".join(f"<li>{html.escape(x.strip())}</li>" for x in lines[1:])
    return (f'<div><div style="background:#FFFFFF;color:#222222;padding:4px 8px;'
            f'border-radius:4px"><p style="color:{colour}"><b>{html.escape(lines[0])}</b></p>'
            f"<ul>{items}</ul></div>{extra}</div>")
