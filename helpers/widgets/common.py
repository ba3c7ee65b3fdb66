"""Pieces every explorer shares: the message box, badges, and quiet bulk updates."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as w
import traitlets

from helpers.plots import OK, PALETTE, WARN, readable

__all__ = ["message_html", "badge_html", "Explorer", "SizeField"]

BOX = "#FAFAFA"  # a message box's own background, whatever the theme


def message_html(text: str, kind: str = "error", title: str | None = None) -> str:
    """A short, friendly box for a ShapeError (never a traceback), titled in words.

    kind "error" is titled "Does not build" (the word every explorer uses for a
    network Keras would refuse), unless `title` says what else went wrong.

    >>> "Does not build." in message_html("kernel 5 spans 9 pixels")
    True
    """
    colour = {"error": WARN, "ok": OK, "info": PALETTE["blue"]}[kind]
    label = title or {"error": "Does not build", "ok": "Fine", "info": "Note"}[kind]
    return (f'<div style="border-left:4px solid {colour};padding:6px 10px;margin:4px 0;'
            f'background:{BOX};color:#222222;max-width:620px">'
            f'<b style="color:{readable(colour, BOX)}">{label}.</b> '
            f"{html.escape(text)}</div>")


def badge_html(ok: bool, text: str, builds: bool = True) -> str:
    """A badge that says its verdict in words, not only in colour: MATCH (green),
    MISMATCH (builds, but the sizes differ) or DOES NOT BUILD (red).

    >>> "DOES NOT BUILD" in badge_html(False, "75x75", builds=False)
    True
    """
    colour, word = (OK, "MATCH") if ok else (WARN, "MISMATCH") if builds else \
        (WARN, "DOES NOT BUILD")
    return (f'<span style="background:{readable(colour)};color:#FFFFFF;padding:2px 8px;'
            f'border-radius:4px;'
            f'font-weight:bold">{word}</span> {html.escape(text)}')


class SizeField(w.VBox):
    """A number field for a size in pixels that refuses what it cannot take, in words.

    ipywidgets' IntText drops a typed "." in the browser, so "7.5" silently becomes 75;
    this field keeps what was typed, says why it is refused, and keeps its last good
    `value` (an int, observed like any widget's value) until a whole number in range
    is typed. Enter or leaving the field commits the text.

    >>> f = SizeField(16, description="input H")
    >>> f.text.value = "7.5"
    >>> f.value, "whole number" in f.note.value
    (16, True)
    >>> f.text.value = " 24 "
    >>> f.value, f.note.value
    (24, '')
    """

    value = traitlets.Int()

    def __init__(self, value: int, min: int = 1, max: int = 512, description: str = "",
                 width: str = "150px", description_width: str = "70px") -> None:
        self.min, self.max, self.description = min, max, description
        self.text = w.Text(str(value), description=description, continuous_update=False,
                           layout=w.Layout(width=width),
                           style={"description_width": description_width})
        self.note = w.HTML(layout=w.Layout(max_width="320px"))
        super().__init__([self.text, self.note])
        self.value = value
        self.text.observe(self._typed, names="value")
        self.observe(self._shown, names="value")

    def _typed(self, change: dict) -> None:
        raw = change["new"].strip()
        number = int(raw) if raw.lstrip("-").isdigit() else None
        if number is None or not self.min <= number <= self.max:
            why = "a whole number of pixels" if number is None else "out of range"
            self.note.value = message_html(
                f"{self.description}: {raw!r} is {why}; type a whole number from {self.min} "
                f"to {self.max}. Still {self.value}.", title="Not a size")
            return
        self.note.value = ""
        self.value = number

    def _shown(self, change: dict) -> None:
        if self.text.value.strip() != str(change["new"]):
            self.text.value = str(change["new"])


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
