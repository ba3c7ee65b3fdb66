"""Losses that check sizes: a model's output against its targets, before and during training.

`check_target(model, y)` refuses a model whose output is not the target's size (even
the silent size-1 broadcast, which Keras would train without a word);
`shape_checked(loss)` gives the same protection to your own `model.compile`;
`masked_loss(valid_mask)` averages only over the pixels a model really predicts.
Keras is imported inside the functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.errors import ShapeMismatchError, TrainingError

__all__ = ["check_target", "shape_checked", "masked_loss"]


# -- shape safety -----------------------------------------------------------------------

_DENSE = ("categorical", "binary", "mse", "mae", "mean_", "huber", "log_cosh", "kl_",
          "poisson", "cosine", "hinge", "dice", "tversky")  # losses on targets shaped as outputs


def _is_sparse(loss: Any, y_dtype: Any = None) -> bool:
    """Does this loss compare integer class ids with per-class outputs? A loss named
    sparse does, a known dense loss does not; otherwise (no loss, or your own function)
    integer targets say it does."""
    integer = y_dtype is not None and np.issubdtype(np.dtype(y_dtype), np.integer)
    if loss is None:
        return integer
    name = str(loss if isinstance(loss, str) else getattr(loss, "name", None) or
               getattr(loss, "__name__", type(loss).__name__)).lower()
    if "sparse" in name:
        return True
    return integer and not any(word in name for word in _DENSE)


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
            dtype = keras.backend.standardize_dtype(getattr(y_true, "dtype", "float32"))
            _refuse(self.name, y_true, y_pred, self.sparse or _is_sparse(self.inner, dtype))
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
