"""Train a model in seconds, the same way every time, with a live loss curve.

`train(model, (x, y))` refuses a model whose output is not the target's size
(even the silent size-1 broadcast), trains with a seeded, prefetched tf.data
pipeline, shows a text progress bar (and, in Jupyter, a loss plot updated in
place), stops cleanly when the loss turns NaN/inf, and returns a `History`.
`shape_checked(loss)` gives the same protection to your own `model.compile`.
`psnr`, `mean_iou` and `compare` put strategies side by side, honestly.

Keras is imported inside the functions: importing this module stays cheap.

>>> psnr(np.zeros((1, 4, 4, 1)), np.full((1, 4, 4, 1), 0.1))
20.0
"""

from __future__ import annotations

import html
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers.runtime import fast_mode

__all__ = [
    "TrainingError", "ShapeMismatchError", "check_target", "shape_checked", "masked_loss",
    "compile_for", "train", "History", "psnr", "mean_iou", "compare", "Comparison",
    "loss_figure",
]

FAST_EPOCHS, FAST_STEPS, MAX_REDRAWS_PER_S, PLOT_SHARE = 2, 2, 4.0, 0.1


class TrainingError(ValueError):
    """Training cannot start with these arguments."""


class ShapeMismatchError(TrainingError):
    """The model's output and the target differ in shape (or would silently broadcast)."""


# -- shape safety -----------------------------------------------------------------------

def _is_sparse(loss: Any, y_dtype: Any = None) -> bool:
    """Does this loss compare integer class ids with per-class outputs?"""
    if loss is None:
        return y_dtype is not None and np.issubdtype(np.dtype(y_dtype), np.integer)
    name = loss if isinstance(loss, str) else getattr(loss, "name", None) or \
        getattr(loss, "__name__", type(loss).__name__)
    return "sparse" in str(name).lower()


def _mismatch(out: tuple, target: tuple, sparse: bool) -> str | None:
    """Why output and target shapes (batch axis excluded) cannot meet, or None if they can."""
    if sparse:
        t = target[:-1] if len(target) == len(out) and target[-1] == 1 else target
        if len(t) != len(out) - 1 or any(a and b and a != b for a, b in zip(t, out[:-1])):
            return (f"sparse cross-entropy needs targets (B, {', '.join(map(str, out[:-1]))}) "
                    f"for outputs (B, {', '.join(map(str, out))}), got (B, "
                    f"{', '.join(map(str, target))})")
        return None
    if len(out) != len(target) or any(a and b and a != b for a, b in zip(out, target)):
        silent = len(out) == len(target) and all(
            a == b or a == 1 or b == 1 or not a or not b for a, b in zip(out, target))
        why = (" Keras would broadcast the size-1 axes over the target and train without "
               "an error, learning one value where it should learn a map." if silent else "")
        return f"output (B, {', '.join(map(str, out))}) vs target (B, " \
               f"{', '.join(map(str, target))}).{why}"
    return None


def _diagnosis(model: Any, x_shape: tuple | None, target_hw: tuple) -> str:
    from helpers.fixes import diagnose

    try:
        given = x_shape if x_shape and None in tuple(model.input_shape[1:3]) else None
        return str(diagnose(model, input_shape=given, target_shape=target_hw))
    except ValueError as e:
        return f"(no layer-by-layer diagnosis: {e})"


def check_target(model: Any, y: np.ndarray, x: np.ndarray | None = None,
                 loss: Any = None) -> None:
    """None if the model's output can be compared with targets y; raises ShapeMismatchError
    (with the layer-by-layer diagnosis of helpers.fixes.diagnose) if not.

    For sparse categorical cross-entropy (integer y, or a loss named "sparse...") only
    the spatial axes are compared: (N, H, W) or (N, H, W, 1) targets vs (N, H, W, classes).

    >>> from helpers.models import same_padding_net
    >>> check_target(same_padding_net((28, 28, 1)), np.zeros((2, 28, 28, 1)))
    """
    out = tuple(model.output_shape[1:])
    if x is not None and None in out:
        out = tuple(model.compute_output_shape((1, *np.shape(x)[1:]))[1:])
    why = _mismatch(out, tuple(np.shape(y)[1:]), _is_sparse(loss, np.asarray(y).dtype))
    if why is None:
        return
    hw = tuple(np.shape(y)[1:3])
    raise ShapeMismatchError(
        f"train refuses to start: {why}\nFix the model (or the targets) so that the shapes "
        f"are equal; the diagnosis below shows where the size changes and how to fix it.\n\n"
        f"{_diagnosis(model, None if x is None else tuple(np.shape(x)[1:]), hw)}")


def _refuse(name: str, y_true: Any, y_pred: Any, sparse: bool, mask_hw: tuple = ()) -> None:
    """Raise ShapeMismatchError if the static shapes (what model.fit's graph knows) differ."""
    why = _mismatch(tuple(y_pred.shape[1:]), tuple(y_true.shape[1:]), sparse)
    if why is None and mask_hw and tuple(y_pred.shape[1:3]) != tuple(mask_hw):
        why = f"the mask is {mask_hw[0]}x{mask_hw[1]} but the output is (B, " \
              f"{', '.join(map(str, y_pred.shape[1:]))}); make it with valid_mask(model)."
    if why is not None:
        raise ShapeMismatchError(f"{name}: {why} Make the model's output the target's size; "
                                 "helpers.fixes.diagnose(model, target_shape=y.shape[1:]) "
                                 "shows where it changes.")


_LOSSES: dict[str, Any] = {}


def _loss_classes() -> dict[str, Any]:
    """The Keras Loss subclasses, defined on first use so that Keras loads lazily."""
    if _LOSSES:
        return _LOSSES
    import keras

    @keras.saving.register_keras_serializable(package="cnnlab")
    class ShapeChecked(keras.losses.Loss):
        """Any Keras loss, after a check that y_true and y_pred have the same static shape."""

        def __init__(self, loss: Any = "mse", **kwargs: Any) -> None:
            self.inner = keras.losses.get(loss) if isinstance(loss, (str, dict)) else loss
            self.sparse = _is_sparse(self.inner)
            name = getattr(self.inner, "name", getattr(self.inner, "__name__", "loss"))
            super().__init__(**{"name": f"shape_checked_{name}", **kwargs})

        def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
            _refuse(self.name, y_true, y_pred, self.sparse)
            if isinstance(self.inner, keras.losses.Loss):
                return self.inner(y_true, y_pred, sample_weight)
            return super().__call__(y_true, y_pred, sample_weight)

        def call(self, y_true: Any, y_pred: Any) -> Any:
            return self.inner(y_true, y_pred)

        def get_config(self) -> dict:
            return {**super().get_config(), "loss": keras.losses.serialize(self.inner)}

    @keras.saving.register_keras_serializable(package="cnnlab")
    class MaskedLoss(keras.losses.Loss):
        """MSE or sparse cross-entropy (from logits) averaged over the pixels where mask is 1."""

        def __init__(self, mask: Any, loss: str = "mse", **kwargs: Any) -> None:
            super().__init__(**{"name": f"masked_{loss}", **kwargs})
            self.mask_values, self.loss = np.asarray(mask, np.float32), loss
            self.ignored_pixels = int(self.mask_values.size - self.mask_values.sum())

        def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
            _refuse(self.name, y_true, y_pred, "sparse" in self.loss, self.mask_values.shape)
            return super().__call__(y_true, y_pred, sample_weight)

        def call(self, y_true: Any, y_pred: Any) -> Any:
            ops = keras.ops
            if self.loss == "mse":
                per_pixel = ops.mean(ops.square(y_pred - y_true), axis=-1)
            else:
                labels = ops.cast(ops.reshape(y_true, ops.shape(y_pred)[:-1]), "int32")
                per_pixel = ops.sparse_categorical_crossentropy(labels, y_pred, from_logits=True)
            mask = ops.convert_to_tensor(self.mask_values)
            return ops.sum(per_pixel * mask, axis=(1, 2)) / ops.sum(mask)

        def get_config(self) -> dict:
            return {**super().get_config(), "mask": self.mask_values.tolist(), "loss": self.loss}

    _LOSSES.update(ShapeChecked=ShapeChecked, MaskedLoss=MaskedLoss)
    return _LOSSES


def shape_checked(loss: Any = "mse") -> Any:
    """A Keras loss that raises ShapeMismatchError, instead of broadcasting, when y_pred's
    static shape differs from y_true's; otherwise it computes `loss` (a name, function
    or Loss object). Works inside model.fit's graph.

    >>> checked = shape_checked("mse")
    >>> float(checked(np.zeros((2, 4, 4, 1)), np.ones((2, 4, 4, 1))))
    1.0
    """
    return _loss_classes()["ShapeChecked"](loss)


def masked_loss(valid_mask: np.ndarray, loss: str = "mse") -> Any:
    """A Keras loss ("mse" or "sparse_categorical_crossentropy" from logits) averaged only
    over pixels where valid_mask (H, W) is 1; `.ignored_pixels` says how many it ignores.

    >>> mask = np.ones((4, 4), np.float32); mask[0] = 0
    >>> lossfn = masked_loss(mask)
    >>> lossfn.ignored_pixels, float(lossfn(np.zeros((1, 4, 4, 1)), np.ones((1, 4, 4, 1))))
    (4, 1.0)
    """
    if loss not in ("mse", "sparse_categorical_crossentropy"):
        raise TrainingError(f"masked_loss: loss={loss!r} is not supported; use 'mse' (images) "
                            "or 'sparse_categorical_crossentropy' (masks, logits).")
    mask = np.asarray(valid_mask, np.float32)
    if mask.ndim != 2 or mask.sum() == 0:
        raise TrainingError(f"masked_loss: valid_mask has shape {mask.shape} and sum "
                            f"{mask.sum():g}; give an (H, W) array of 0/1 with some 1s, e.g. "
                            "helpers.models.valid_mask(model).")
    return _loss_classes()["MaskedLoss"](mask, loss)


def compile_for(model: Any, task: str = "image", lr: float = 1e-3, loss: Any = None,
                steps_per_execution: int = 1, jit_compile: bool = False) -> Any:
    """The model, compiled with Adam(lr) and a shape-checked loss: MSE for task="image",
    sparse cross-entropy from logits (+ accuracy) for task="segmentation".

    >>> from helpers.models import same_padding_net
    >>> compile_for(same_padding_net((8, 8, 1)), "image").loss.name
    'shape_checked_mean_squared_error'
    """
    import keras

    if task not in ("image", "segmentation"):
        raise TrainingError(f"task={task!r}: use 'image' (MSE) or 'segmentation' (logits).")
    if loss is None:
        loss = "mse" if task == "image" else keras.losses.SparseCategoricalCrossentropy(
            from_logits=True)
    if not isinstance(loss, tuple(_loss_classes().values())):
        loss = shape_checked(loss)
    metrics = [keras.metrics.SparseCategoricalAccuracy(name="accuracy")] \
        if task == "segmentation" else []
    model.compile(keras.optimizers.Adam(lr), loss, metrics=metrics, jit_compile=jit_compile,
                  steps_per_execution=steps_per_execution)
    return model


# -- metrics ---------------------------------------------------------------------------

def psnr(y_true: np.ndarray, y_pred: np.ndarray, max_val: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB, averaged over images (capped at 100 dB).

    >>> psnr(np.zeros((2, 8, 8, 3)), np.full((2, 8, 8, 3), 0.01))
    40.0
    """
    t, p = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    if t.shape != p.shape:
        raise ShapeMismatchError(f"psnr: y_true {t.shape} vs y_pred {p.shape}; pass equal shapes.")
    mse = ((t - p) ** 2).reshape(len(t), -1).mean(axis=1)
    return round(float(np.mean(10 * np.log10(max_val ** 2 / np.maximum(mse, 1e-10)))), 4)


def mean_iou(masks: np.ndarray, logits_or_labels: np.ndarray, classes: int) -> float:
    """Mean intersection-over-union over the classes present in masks or predictions.

    Pass labels (N, H, W) or logits/probabilities (N, H, W, classes) (argmax is taken).

    >>> mean_iou(np.array([[[0, 1], [1, 1]]]), np.array([[[0, 1], [0, 1]]]), classes=2)
    0.5833
    """
    t = np.asarray(masks)
    t = t[..., 0] if t.ndim == 4 and t.shape[-1] == 1 else t
    p = np.asarray(logits_or_labels)
    p = p.argmax(axis=-1) if p.ndim == t.ndim + 1 else p
    if p.shape != t.shape:
        raise ShapeMismatchError(f"mean_iou: masks {t.shape} vs predictions {p.shape}; pass "
                                 "labels of the same shape or logits with one more axis.")
    ious = [np.sum((t == c) & (p == c)) / union for c in range(classes)
            if (union := np.sum((t == c) | (p == c)))]
    return round(float(np.mean(ious)), 4)


# -- history and comparison ------------------------------------------------------------

@dataclass(frozen=True)
class History:
    """What train() did: losses per epoch, timings, parameters, quality, pixels the loss saw."""

    history: dict
    epochs: list
    epoch_seconds: list
    params: int
    name: str
    task: str
    steps_per_epoch: int
    input_hw: tuple
    target_hw: tuple
    ignored_pixels: int = 0  # target pixels a masked loss never sees, per image
    quality: dict = field(default_factory=dict)  # on every output pixel, borders included
    stopped: str | None = None
    model: Any = field(default=None, repr=False, compare=False)

    @property
    def seconds_per_epoch(self) -> float:
        """Median epoch time, leaving out the first epoch (tracing) when there are more."""
        times = self.epoch_seconds[1:] or self.epoch_seconds
        return float(np.median(times)) if times else float("nan")

    @property
    def discarded_pixels(self) -> int:
        """Target pixels per image the loss never sees: masked away, or cropped off."""
        (ih, iw), (th, tw) = self.input_hw, self.target_hw
        coarser = ih >= 2 * th or iw >= 2 * tw
        return self.ignored_pixels + (0 if coarser else ih * iw - th * tw)

    def __str__(self) -> str:
        last = {k: round(v[-1], 4) for k, v in self.history.items() if v}
        return (f"{self.name}: {len(self.epochs)} epochs, {self.seconds_per_epoch:.2f} s/epoch, "
                f"{self.params:,} params, last {last}, quality {self.quality}"
                + (f"\n{self.stopped}" if self.stopped else ""))


@dataclass(frozen=True)
class Comparison:
    """Strategies side by side: a text table (print) and an HTML table (Jupyter)."""

    header: tuple
    rows: tuple

    def __str__(self) -> str:
        cells = [self.header, *self.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.header))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells)

    __repr__ = __str__  # plain consoles show the table, not the fields

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                       for r in self.rows)
        return (f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody><caption>Compare "
                "losses only between rows whose loss sees the same pixels.</caption></table>")


def compare(runs: dict | Sequence[History]) -> Comparison:
    """A table of several trainings: parameters, s/epoch, final losses, quality (PSNR or
    mean IoU), the pixels each loss sees and the target pixels it discards.

    >>> h = History({"loss": [0.5, 0.25]}, [1, 2], [1.0, 0.5], 1234, "net", "image", 8,
    ...             (75, 75), (72, 72), quality={"psnr": 20.0})
    >>> print(compare({"crop": h}))
    strategy  params  s/epoch  loss    val_loss  quality    loss sees       discarded px
    crop      1,234   0.50     0.2500  -         PSNR 20.0  72x72 of 75x75  441 (7.8%)
    """
    items = runs.items() if isinstance(runs, dict) else [(h.name, h) for h in runs]
    rows = []
    for name, h in items:
        (ih, iw), (th, tw) = h.input_hw, h.target_hw
        sees = f"{th}x{tw} of {ih}x{iw}"
        if ih >= 2 * th or iw >= 2 * tw:
            sees += f" (x{round(ih / th)} coarser)"
        last = {k: (f"{v[-1]:.4f}" if v else "-") for k, v in h.history.items()}
        q = h.quality
        quality = f"PSNR {q['psnr']:.1f}" if "psnr" in q else \
            f"mIoU {q['mean_iou']:.3f}" if "mean_iou" in q else "-"
        gone = h.discarded_pixels
        rows.append((name, f"{h.params:,}", f"{h.seconds_per_epoch:.2f}", last.get("loss", "-"),
                     last.get("val_loss", "-"), quality, sees,
                     f"{gone} ({100 * gone / (ih * iw):.1f}%)" if gone else "0"))
    return Comparison(("strategy", "params", "s/epoch", "loss", "val_loss", "quality",
                       "loss sees", "discarded px"), tuple(rows))

# -- live progress -----------------------------------------------------------------------

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


# -- train -------------------------------------------------------------------------------

def _split_data(data: Any) -> tuple:
    """((x, y), (x_val, y_val) or None) from (x, y) or ((x, y), (x_val, y_val))."""
    try:
        first, second = data
        if isinstance(first, (tuple, list)):
            (x, y), val = first, tuple(np.asarray(a) for a in second)
        else:
            (x, y), val = (first, second), None
        x, y = np.asarray(x), np.asarray(y)
    except (TypeError, ValueError):
        raise TrainingError("data must be (x, y) or ((x, y), (x_val, y_val)) with numpy arrays, "
                            "e.g. train(model, (x, y)).") from None
    for a, b in [(x, y)] + ([val] if val else []):
        if len(a) != len(b):
            raise TrainingError(f"data: {len(a)} inputs but {len(b)} targets; give one target "
                                "per input image.")
    return (x, y), val


def _dataset(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int | None) -> Any:
    """A tf.data pipeline: shuffled each epoch (seeded), batched by gathering, prefetched."""
    import tensorflow as tf

    xs, ys = tf.constant(x), tf.constant(y)  # shuffle indices, gather whole batches
    ds = tf.data.Dataset.range(len(x))
    if seed is not None:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size).map(lambda i: (tf.gather(xs, i), tf.gather(ys, i)))
    return ds.prefetch(tf.data.AUTOTUNE)


def _quality(model: Any, x: np.ndarray, y: np.ndarray, task: str) -> dict:
    """PSNR (images) or mean IoU (masks) of the model on up to 128 samples."""
    pred = np.concatenate([np.asarray(model(x[i:i + 64], training=False))
                           for i in range(0, min(len(x), 128), 64)])
    y = y[:len(pred)]
    if task == "segmentation":
        return {"mean_iou": mean_iou(y, pred, classes=pred.shape[-1])}
    return {"psnr": psnr(y, pred)}


def train(model: Any, data: Any, epochs: int = 5, batch_size: int = 32, lr: float = 1e-3,
          loss: Any = None, seed: int = 0, live: bool = True, steps_per_execution: int = 1,
          jit_compile: bool = False, callbacks: Sequence[Any] = ()) -> History:
    """The History of training `model` on data = (x, y) or ((x, y), (x_val, y_val)).

    Integer targets mean segmentation (sparse cross-entropy from logits), float targets
    mean images (MSE); pass `loss` to choose. Refuses mismatched shapes before the first
    step (ShapeMismatchError), seeds everything (same `seed`, same model -> same losses),
    stops cleanly with a message if the loss becomes NaN/inf, and in fast mode
    (CNNLAB_FAST=1) runs 2 epochs of 2 steps. It compiles the model itself (Adam(lr),
    see compile_for); to get the same curve again, build the model again (same seed).
    steps_per_execution > 1 and jit_compile=True (XLA) are off by default: on a 2-core
    CPU they cost more in tracing than they save in a demo (see bench/README.md).
    Op determinism is not switched on: the CPU kernels give identical losses run after
    run without it (tested across processes), and it would switch XLA off globally.

    >>> from helpers.models import same_padding_net
    >>> x = np.random.default_rng(0).random((8, 16, 16, 1), dtype=np.float32)
    >>> h = train(same_padding_net((16, 16, 1), filters=4, depth=1), (x, x), epochs=2,
    ...           batch_size=4, live=False)                        # doctest: +ELLIPSIS
    epoch 1/2  loss ...
    >>> len(h.history["loss"])
    2
    """
    import keras

    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise TrainingError(f"{name}={value!r} must be a whole number >= 1, e.g. {name}=8.")
    if not (isinstance(lr, (int, float)) and 0 < lr < math.inf):
        raise TrainingError(f"lr={lr!r} must be a positive number, e.g. lr=1e-3.")
    (x, y), val = _split_data(data)
    task = "segmentation" if _is_sparse(loss, y.dtype) else "image"
    for xs, ys in [(x, y)] + ([val] if val else []):
        check_target(model, ys, xs, loss)
    if fast_mode():
        epochs, x, y = min(epochs, FAST_EPOCHS), x[:FAST_STEPS * batch_size], \
            y[:FAST_STEPS * batch_size]
        val = tuple(a[:batch_size] for a in val) if val else None
    keras.utils.set_random_seed(seed)
    steps = math.ceil(len(x) / batch_size)
    compile_for(model, task, lr, loss, steps_per_execution, jit_compile)
    progress = _Progress(model.name, epochs, steps, live)
    model.fit(_dataset(x, y, batch_size, seed), epochs=epochs, verbose=0, shuffle=False,
              validation_data=_dataset(*val, batch_size, None) if val else None,
              callbacks=[_callback(progress), *callbacks])
    stopped = None
    if progress.diverged:
        epoch, step, value = progress.diverged
        stopped = (f"Training stopped at epoch {epoch}, step {step}: the loss became {value}. "
                   f"The learning rate lr={lr:g} is too large for this model (or the inputs "
                   f"are not scaled to about [0, 1]): build the model again and train with "
                   f"lr={min(lr / 10, 1e-3):g}.")
        progress.say(stopped, final=True)
    quality = {} if stopped else _quality(model, *(val or (x, y)), task)
    eh = progress.history
    return History(eh, list(range(1, len(eh.get("loss", [])) + 1)), progress.seconds,
                   model.count_params(), model.name, task, steps, tuple(x.shape[1:3]),
                   tuple(y.shape[1:3]), int(getattr(model.loss, "ignored_pixels", 0)),
                   quality, stopped, model)
