"""Live training progress: a text bar, and in Jupyter a loss plot updated in place.

Used by `helpers.training.train`; `loss_figure` also draws a finished history.
Redraws are throttled so that drawing never costs more than a tenth of the time.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from typing import Any

__all__ = ["loss_figure", "MAX_REDRAWS_PER_S", "PLOT_SHARE"]

MAX_REDRAWS_PER_S, PLOT_SHARE = 4.0, 0.1


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (an IPython shell with a kernel), not a terminal."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and hasattr(shell, "kernel")


def loss_figure(history: dict, steps: Sequence[tuple] = (), epochs: int | None = None,
                ax: Any = None) -> Any:
    """The Axes with the loss curves: the running loss at each step (thin line), loss and
    val_loss at each epoch's end (dots). Draws on a new Figure (not pyplot) if ax is None.

    >>> ax = loss_figure({"loss": [0.9, 0.5], "val_loss": [0.8, 0.6]}, [(0.5, 1.0), (1, 0.9)])
    >>> [line.get_label() for line in ax.lines]
    ['running loss', 'loss', 'val_loss']
    """
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(6, 3), layout="constrained").subplots()
    ax.clear()
    if steps:
        ax.plot(*zip(*steps), color="#56B4E9", lw=1, label="running loss")
    for key, colour in (("loss", "#0072B2"), ("val_loss", "#E69F00")):
        if history.get(key):
            ax.plot(range(1, len(history[key]) + 1), history[key], "o-", color=colour, label=key)
    ax.set(xlabel="epoch", ylabel="loss", xlim=(0, epochs or None))
    if ax.lines:
        ax.legend(loc="upper right")
    return ax


class _Progress:
    """Text progress bar (and, in Jupyter with live=True, a loss plot updated in place).

    Text redraws at most MAX_REDRAWS_PER_S times a second; the plot too, and also never
    more often than keeps its drawing under PLOT_SHARE of the time (a redraw takes
    ~80 ms, so about once a second), plus once at the end.
    """

    def __init__(self, name: str, epochs: int, steps: int, live: bool) -> None:
        self.name, self.epochs, self.steps = name, epochs, steps
        self.history: dict = {}
        self.points: list = []
        self.lines: list = []
        self.seconds: list = []
        self.last_text = self.last_plot = self.plot_cost = 0.0
        self.diverged = None
        self.notebook, self.tty = _in_notebook(), sys.stdout.isatty()
        self.ax = self.text = self.plot = None
        if self.notebook:
            from IPython.display import Pretty, display

            self.text = display(Pretty(""), display_id=True)
            if live:
                self.ax = loss_figure({}, epochs=epochs)
                self.plot = display(self._image(), display_id=True)

    def _image(self) -> Any:
        import io

        from IPython.display import Image

        buf = io.BytesIO()
        self.ax.figure.savefig(buf, format="png", dpi=80)
        return Image(data=buf.getvalue(), format="png")

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
        if self.ax is not None and (final or now - self.last_plot >= wait):
            loss_figure(self.history, self.points, self.epochs, self.ax)
            self.ax.set_title(f"{self.name}: {current or self.lines[-1]}"[:70], fontsize=9)
            self.plot.update(self._image())
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
        if not self.notebook:
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
