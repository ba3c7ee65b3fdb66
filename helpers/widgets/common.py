"""Pieces every explorer shares: the message box, badges, and quiet bulk updates."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["message_html", "badge_html", "Explorer"]


def message_html(text: str, kind: str = "error", title: str | None = None) -> str:
    """A short, friendly box for a ShapeError (never a traceback), titled in words.

    kind "error" is titled "Does not build" (the word every explorer uses for a
    network Keras would refuse), unless `title` says what else went wrong.

    >>> "Does not build." in message_html("kernel 5 spans 9 pixels")
    True
    """
    colour = {"error": "#D55E00", "ok": "#009E73", "info": "#0072B2"}[kind]
    label = title or {"error": "Does not build", "ok": "Fine", "info": "Note"}[kind]
    return (f'<div style="border-left:4px solid {colour};padding:6px 10px;margin:4px 0;'
            f'background:#fafafa;color:#222222;max-width:620px">'
            f'<b style="color:{colour}">{label}.</b> '
            f"{html.escape(text)}</div>")


def badge_html(ok: bool, text: str, builds: bool = True) -> str:
    """A badge that says its verdict in words, not only in colour: MATCH (green),
    MISMATCH (builds, but the sizes differ) or DOES NOT BUILD (red).

    >>> "DOES NOT BUILD" in badge_html(False, "75x75", builds=False)
    True
    """
    colour, word = ("#009E73", "MATCH") if ok else ("#D55E00", "MISMATCH") if builds else \
        ("#D55E00", "DOES NOT BUILD")
    return (f'<span style="background:{colour};color:white;padding:2px 8px;border-radius:4px;'
            f'font-weight:bold">{word}</span> {html.escape(text)}')


class Explorer:
    """Mixin: `value` reads all controls; setting it (or `set(...)`) redraws once.

    Subclasses define `controls` (name -> widget) and `redraw()`.
    """

    controls: dict[str, Any]
    _quiet: bool = False

    def _wire(self, redraw: Callable[[], None]) -> None:
        def on_change(_change: dict) -> None:
            if not self._quiet:
                redraw()

        for control in self.controls.values():
            control.observe(on_change, names="value")

    @contextmanager
    def _bulk(self) -> Iterator[None]:
        """Change several controls with one redraw at the end (no stale intermediate draws)."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False
        self.redraw()

    # Controls whose range depends on the others (offsets within sizes): set() hands them
    # to _set_late() after the rest, with None for those not given.
    _late: tuple[str, ...] = ()

    def set(self, **values: Any) -> None:
        """Set controls by name, then redraw once: explorer.set(stride=2, padding="same")."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this explorer has "
                             f"{sorted(self.controls)}.")
        late = {name: values.pop(name, None) for name in self._late}
        with self._bulk():
            for name, value in values.items():
                self.controls[name].value = value
            if late:
                self._set_late(**late)

    def _set_late(self, **values: Any) -> None:  # pragma: no cover - with _late only
        raise NotImplementedError

    def redraw(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError
