"""Train a model in seconds, the same way every time, with a live loss curve.

`train(model, (x, y))` refuses a model whose output is not the target's size
(even the silent size-1 broadcast), trains with a seeded, prefetched tf.data
pipeline, shows a text progress bar (and, in Jupyter, a loss plot updated in
place), stops cleanly when the loss turns NaN/inf, and returns a `History`.
`shape_checked(loss)` gives the same protection to your own `model.compile`.
The quality measures are in metrics.py, the live progress in live.py.

Keras is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from helpers.errors import ShapeMismatchError, TrainingError
from helpers.runtime import fast_mode

from .live import _callback, _Progress
from .metrics import History, mean_iou, psnr

__all__ = ["check_target", "shape_checked", "masked_loss", "compile_for", "train"]

FAST_EPOCHS, FAST_STEPS = 2, 2


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
