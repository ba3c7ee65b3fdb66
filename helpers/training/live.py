"""Live training progress: a text bar, and in Jupyter the loss curve updated in place.

Used by `helpers.training.train`. The curve is `helpers.plots.loss_svg`, the picture
the playground draws (and `plots.loss_curves` matches it for finished runs).
Redraws are throttled so that drawing never costs more than a tenth of the time.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

from helpers.plots import loss_svg

__all__ = ["MAX_REDRAWS_PER_S", "PLOT_SHARE"]

MAX_REDRAWS_PER_S, PLOT_SHARE = 4.0, 0.1


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (an IPython shell with a kernel), not a terminal."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and hasattr(shell, "kernel")


class _Progress:
    """Text progress bar (and, in Jupyter with live=True, the loss curve updated in place).

    Text redraws at most MAX_REDRAWS_PER_S times a second; the curve too, and also never
    more often than keeps its drawing under PLOT_SHARE of the time, plus once at the end.
    """

    def __init__(self, name: str, epochs: int, steps: int, live: bool,
                 quiet: bool = False) -> None:
        self.name, self.epochs, self.steps = name, epochs, steps
        self.history: dict = {}
        self.points: list = []
        self.lines: list = []
        self.seconds: list = []
        self.last_text = self.last_plot = self.plot_cost = 0.0
        self.diverged = None
        self.notebook, self.tty = _in_notebook(), sys.stdout.isatty()
        self.quiet = quiet  # shows nothing at all (many runs in one cell)
        if quiet:
            self.notebook = self.tty = False
        self.live = False  # True while a loss curve is shown (Jupyter, live=True)
        self.text = self.plot = None
        if self.notebook:
            from IPython.display import Pretty, display

            self.text = display(Pretty(""), display_id=True)
            if live:
                self.live = True
                self.plot = display(self._picture(), display_id=True)

    def _picture(self, current: str = "") -> Any:
        """The loss curve so far, as an SVG display object."""
        from IPython.display import SVG

        title = f"{self.name}: {current or (self.lines[-1] if self.lines else '')}"[:70]
        return SVG(data=loss_svg(self.history, self.points, self.epochs, title, 560, 220).svg)

    def _show(self, current: str = "", final: bool = False) -> None:
        now = time.perf_counter()
        if final or now - self.last_text >= 1 / MAX_REDRAWS_PER_S:
            self.last_text = now
            if self.notebook:
                from IPython.display import Pretty

                self.text.update(Pretty("\n".join(self.lines + ([current] if current else []))))
            elif self.tty and current:
                print(f"\r{current:<78}", end="", flush=True)
        wait = max(1 / MAX_REDRAWS_PER_S, self.plot_cost / PLOT_SHARE)
        if self.live and (final or now - self.last_plot >= wait):
            self.plot.update(self._picture(current))
            self.last_plot = time.perf_counter()
            self.plot_cost = self.last_plot - now

    def step(self, epoch: int, step: int, loss: float) -> None:
        self.points.append((epoch + step / self.steps, loss))
        done = round(20 * step / self.steps)
        self._show(f"epoch {epoch + 1}/{self.epochs} [{'#' * done}{'.' * (20 - done)}] "
                   f"{step}/{self.steps}  loss {loss:.4f}")

    def epoch_end(self, epoch: int, logs: dict, seconds: float) -> None:
        self.seconds.append(seconds)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))
        shown = "  ".join(f"{k} {float(v):.4f}" for k, v in logs.items())
        self.say(f"epoch {epoch + 1}/{self.epochs}  {shown}  {seconds:.2f} s")

    def say(self, line: str, final: bool = False) -> None:
        self.lines.append(line)
        if not self.notebook and (not self.quiet or final):  # quiet still says why it stopped
            print(("\r" if self.tty else "") + f"{line:<78}".rstrip(), flush=True)
        self._show(final=final or len(self.seconds) == self.epochs)


def _callback(progress: _Progress) -> Any:
    import keras

    class LiveProgress(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.epoch, self.start = epoch, time.perf_counter()

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            loss = float((logs or {}).get("loss", float("nan")))
            if not math.isfinite(loss) and progress.diverged is None:
                progress.diverged = (self.epoch + 1, batch + 1, loss)
                self.model.stop_training = True
            progress.step(self.epoch, batch + 1, loss)

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            progress.epoch_end(epoch, logs or {}, time.perf_counter() - self.start)

    return LiveProgress()
