"""Train a model in seconds, the same way every time, with a live loss curve.

`train(model, (x, y))` refuses a model whose output is not the target's size
(even the silent size-1 broadcast), trains with a seeded, prefetched tf.data
pipeline, shows a text progress bar (and, in Jupyter, a loss plot updated in
place), stops cleanly when the loss turns NaN/inf, and returns a `History`.
The size checks and losses are in losses.py, the quality measures in metrics.py,
the live progress in live.py.

Keras is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from helpers.errors import TrainingError
from helpers.runtime import fast_mode

from .live import _callback, _Progress
from .losses import _is_sparse, _loss_classes, check_target, shape_checked
from .metrics import History, mean_iou, psnr

__all__ = ["compile_for", "train"]

FAST_EPOCHS, FAST_STEPS = 2, 2


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


@contextlib.contextmanager
def _no_retracing_warning() -> Iterator[None]:
    """TensorFlow's logger quiet below errors while it runs: every new model traces its
    own step function, and after five TensorFlow warns of "retracing" as if that were a
    mistake (a comparison trains one model per decoder and seed, on purpose)."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def train(model: Any, data: Any, epochs: int = 5, batch_size: int = 32, lr: float = 1e-3,
          loss: Any = None, seed: int = 0, live: bool = True, steps_per_execution: int = 1,
          jit_compile: bool = False, callbacks: Sequence[Any] = (),
          quiet: bool = False, judge: bool = True) -> History:
    """The History of training `model` on data = (x, y) or ((x, y), (x_val, y_val)).

    Integer targets mean segmentation (sparse cross-entropy from logits), float targets
    mean images (MSE); pass `loss` to choose. Refuses mismatched shapes before the first
    step (ShapeMismatchError), seeds everything (same `seed`, same model -> same losses),
    stops cleanly with a message if the loss becomes NaN/inf (`quiet=True` shows nothing
    else, for many runs in one cell), and in fast mode
    (CNNLAB_FAST=1) runs 2 epochs of 2 steps. It compiles the model itself (Adam(lr),
    see compile_for); to get the same curve again, build the model again (same seed).
    steps_per_execution > 1 and jit_compile=True (XLA) are off by default: on a 2-core
    CPU they cost more in tracing than they save in a demo (see bench/README.md).
    judge=False skips the quality measurement at the end (a comparison that judges its
    runs itself, at full size, saves a prediction pass per run).
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
    progress = _Progress(model.name, epochs, steps, live, quiet)
    with _no_retracing_warning():
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
    quality = {} if stopped or not judge else _quality(model, *(val or (x, y)), task)
    eh = progress.history
    return History(eh, list(range(1, len(eh.get("loss", [])) + 1)), progress.seconds,
                   model.count_params(), model.name, task, steps, tuple(x.shape[1:3]),
                   tuple(y.shape[1:3]), int(getattr(model.loss, "ignored_pixels", 0)),
                   quality, stopped, model)
