"""training_playground(): pick a strategy and a task, train it, watch the loss, stop it.

Training runs in a background thread so the Stop button stays clickable; the
thread only sets widget values (progress, an SVG loss curve, a PNG gallery),
which ipywidgets sends to the page. Keras is imported when Train is clicked.
"""

from __future__ import annotations

import io
import threading
from typing import Any

import ipywidgets as w
import numpy as np

from helpers.fixes import demos
from helpers.plots import loss_svg

from .common import message_html

__all__ = ["TrainingPlayground", "training_playground", "CHOICES"]

CHOICES = tuple(demos())  # every strategy's demo model, in lesson order


def _data(task: str, size: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, x_test, y_test) for denoising photos or segmenting shapes (foreground vs not)."""
    from helpers.data import add_noise, load_photos, load_shapes

    if task == "denoising":
        clean, test = load_photos("train", size), load_photos("test", size)
        return add_noise(clean, 0.2, seed=0), clean, add_noise(test, 0.2, seed=1), test
    (images, masks), (timages, tmasks) = load_shapes("train", size), load_shapes("test", size)
    return images, (masks > 0).astype("int32"), timages, (tmasks > 0).astype("int32")


class TrainingPlayground(w.VBox):
    """Controls for strategy, task, epochs and learning rate; Train and Stop; live loss."""

    def __init__(self, strategy: str = "same padding", task: str = "denoising",
                 epochs: int = 5, lr: float = 3e-3) -> None:
        style = {"description_width": "100px"}  # "learning rate" whole
        self.controls = {
            "strategy": w.Dropdown(options=CHOICES, value=strategy, description="strategy",
                                   style=style),
            "task": w.ToggleButtons(options=["denoising", "segmentation"], value=task,
                                    description="task", style=style),
            "epochs": w.IntSlider(epochs, min=1, max=30, description="epochs", style=style),
            "lr": w.FloatLogSlider(lr, base=10, min=-4, max=-1, description="learning rate",
                                   style=style, readout_format=".0e"),
        }
        # ipywidgets' coloured button styles put white text below 4.5:1: the theme's own
        self.train_button = w.Button(description="Train", icon="play",
                                     style={"font_weight": "bold"})
        self.stop_button = w.Button(description="Stop", icon="stop",
                                    disabled=True)
        self.train_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self.progress = w.IntProgress(0, min=0, max=epochs, description="epoch")
        self.status, self.curve = w.HTML(), w.HTML()
        self.gallery = w.Image(format="png", layout=w.Layout(max_width="720px"))
        self.history: dict[str, list[float]] = {"loss": [], "val_loss": []}
        self.thread: threading.Thread | None = None
        self.last_run: Any = None  # the History of the last finished run
        self._stop = threading.Event()
        super().__init__([*self.controls.values(), w.HBox([self.train_button, self.stop_button]),
                          self.progress, self.status, self.curve, self.gallery])

    @property
    def value(self) -> dict[str, Any]:
        """The settings, and the loss history of the last run."""
        return {**{k: c.value for k, c in self.controls.items()},
                "history": {k: list(v) for k, v in self.history.items()}}

    def start(self) -> threading.Thread:
        """Start training in a background thread (returns it; join() waits for the end)."""
        if self.thread is not None and self.thread.is_alive():
            return self.thread
        self._stop.clear()
        self.history = {"loss": [], "val_loss": []}
        self.train_button.disabled, self.stop_button.disabled = True, False
        self.progress.max, self.progress.value = self.controls["epochs"].value, 0
        self.status.value = "<i>loading data and building the model...</i>"
        self.gallery.value = b""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self.thread

    def stop(self) -> None:
        """Ask training to stop after the current batch."""
        self._stop.set()
        self.status.value = "<i>stopping after this batch...</i>"

    def _run(self) -> None:
        try:
            self._train()
        except Exception as e:  # noqa: BLE001 - shown in the widget, never a traceback
            self.status.value = message_html(f"{type(e).__name__}: {e}", title="Training stopped")
        finally:
            self.train_button.disabled, self.stop_button.disabled = False, True

    def _train(self) -> None:
        import keras

        from helpers.models import demo
        from helpers.training import train

        v = self.value
        segmentation = v["task"] == "segmentation"
        x, y, xt, yt = _data(v["task"])
        run = demo(v["strategy"], x.shape[1:], classes=2 if segmentation else None)
        model, target = run.model, run.targets
        playground = self

        class Watch(keras.callbacks.Callback):
            def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
                if playground._stop.is_set():
                    self.model.stop_training = True

            def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
                for key in ("loss", "val_loss"):
                    if logs and key in logs:
                        playground.history[key].append(float(logs[key]))
                playground.progress.value = epoch + 1
                playground.curve.value = loss_svg(playground.history).svg

        history = train(model, ((x, target(y)), (xt, target(yt))), epochs=v["epochs"],
                        batch_size=16, lr=v["lr"], loss=run.loss, live=False, callbacks=[Watch()])
        self.last_run = history
        stopped = " (stopped)" if self._stop.is_set() else ""
        self.status.value = (f"<b>{v['strategy']}</b> on {v['task']}: {history}" + stopped)
        self.gallery.value = self._gallery(model, xt[:4], target(yt[:4]), segmentation)

    @staticmethod
    def _gallery(model: Any, x: np.ndarray, y: np.ndarray, segmentation: bool) -> bytes:
        from helpers.plots import predictions

        pred = np.asarray(model(x, training=False))
        pred = pred.argmax(-1) if segmentation else np.clip(pred, 0, 1)
        fig = predictions(x, y, {"prediction": pred}, n=len(x))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)  # shown at its own size: crisp
        return buffer.getvalue()


def training_playground(**settings: Any) -> TrainingPlayground:
    """The training playground widget (see TrainingPlayground).

    >>> training_playground(epochs=3).value["epochs"]
    3
    """
    return TrainingPlayground(**settings)
