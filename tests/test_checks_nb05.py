"""Notebook 05's checks: the skip crop built into a real Keras model and run on numbered maps,
the label-shape prediction, and the weighted cross-entropy run against its definition and in
a real training step; honest answers pass, plausible wrong ones fail with their own hint."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import checks, training
from helpers.checks import prediction

keras = pytest.importorskip("keras")
ops = keras.ops


@pytest.fixture(autouse=True)
def _forget_predictions() -> None:
    prediction._RECORD.clear()


def bottom_right(kept, up):
    rows, cols = kept.shape[1] - up.shape[1], kept.shape[2] - up.shape[2]
    return keras.layers.Cropping2D(((0, rows), (0, cols)))(kept)


@pytest.mark.both_builds
@pytest.mark.parametrize("fn", [bottom_right,
                                lambda kept, up: kept[:, :up.shape[1], :up.shape[2], :]])
def test_5_1_accepts_a_crop_at_the_bottom_and_right(fn) -> None:
    assert checks.check("5.1", fn).passed


@pytest.mark.both_builds
@pytest.mark.parametrize("fn, words", [
    (lambda kept, up: keras.layers.CenterCrop(up.shape[1], up.shape[2])(kept), "pixel i + 1"),
    (lambda kept, up: kept[:, -up.shape[1]:, -up.shape[2]:, :], "crop at the bottom and right"),
    (lambda kept, up: keras.layers.Resizing(up.shape[1], up.shape[2])(kept), "a resize blends"),
    (lambda kept, up: keras.layers.Cropping2D(((0, 1), (0, 1)))(kept), "level to level"),
    (lambda kept, up: up, "do not return the upsampled one"),
    (lambda kept, up: np.asarray(kept)[:, :36, :36], "keras.Input placeholders"),
])
def test_5_1_names_each_plausible_mistake(fn, words: str) -> None:
    feedback = checks.check("5.1", fn)
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


def test_5_1_the_unet_with_the_crop_builds_where_the_plain_one_cannot() -> None:
    """The crop the check accepts makes a real depth-3 U-Net build on 75x75, with the output
    short at the bottom/right by what floor pooling dropped."""
    inputs = keras.Input((75, 75, 3))
    x, kept = inputs, []
    for _ in range(3):
        x = keras.layers.Conv2D(4, 3, padding="same")(x)
        kept.append(x)
        x = keras.layers.MaxPooling2D(2)(x)
    for i in reversed(range(3)):
        x = keras.layers.Conv2DTranspose(4, 2, strides=2)(x)
        x = keras.layers.Concatenate()([x, bottom_right(kept[i], x)])
    assert tuple(keras.Model(inputs, x).output_shape[1:3]) == (72, 72)


TRUTH = {"sparse": ["ids", "ids1"], "categorical": ["one_hot"]}


@pytest.mark.parametrize("guess, right, words", [
    ({"sparse": ["ids1", "ids"], "categorical": ["one_hot"]}, True, "trailing axis of 1"),
    ({"sparse": ["ids", "ids1"], "categorical": ["ids1", "one_hot"]}, False, "wrong last axis"),
    ({"sparse": ["ids"], "categorical": ["one_hot"]}, False, "drops a trailing axis"),
    (["ids"], False, "Predict a dict"),
])
def test_5_2_reveals_the_label_rule(guess, right: bool, words: str) -> None:
    checks.predict("5.2", guess)
    feedback = checks.reveal("5.2", TRUTH)
    assert feedback.passed is right and words in feedback.message, feedback.message


def test_5_2_truth_is_what_keras_does() -> None:
    """The notebook computes the truth by calling both losses; the check's truth is that."""
    logits = np.zeros((2, 4, 4, 4), "float32")
    ids = np.random.default_rng(0).integers(0, 4, (2, 4, 4))
    labels = {"ids": ids, "ids1": ids[..., None], "one_hot": np.eye(4, dtype="float32")[ids]}
    takes = {"sparse": [], "categorical": []}
    for loss, fn in (("sparse", keras.losses.sparse_categorical_crossentropy),
                     ("categorical", keras.losses.categorical_crossentropy)):
        for name, y in labels.items():
            try:
                fn(y, logits, from_logits=True)
                takes[loss].append(name)
            except ValueError:
                pass
    assert takes == TRUTH


def weighted_ce(weights):
    w = ops.convert_to_tensor(np.asarray(weights, "float32"))

    def loss(y_true, logits):
        ids = ops.cast(y_true, "int32")
        return ops.mean(ops.take(w, ids) *
                        keras.losses.sparse_categorical_crossentropy(ids, logits, from_logits=True))
    return loss


def normalised(weights):
    w = ops.convert_to_tensor(np.asarray(weights, "float32"))

    def loss(y_true, logits):
        ids = ops.cast(y_true, "int32")
        ce = keras.losses.sparse_categorical_crossentropy(ids, logits, from_logits=True)
        return ops.sum(ops.take(w, ids) * ce) / ops.sum(ops.take(w, ids))
    return loss


def numpy_only(weights):
    def loss(y_true, logits):
        z = np.asarray(logits) - np.asarray(logits).max(-1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
        ids = np.asarray(y_true).astype(int)
        return np.mean(-np.take_along_axis(logp, ids[..., None], -1)[..., 0] * weights[ids])
    return loss


def variant(how):
    def make(weights):
        w = ops.convert_to_tensor(np.asarray(weights, "float32"))

        def loss(y_true, logits):
            ids = ops.cast(y_true, "int32")
            ce = keras.losses.sparse_categorical_crossentropy(ids, logits, from_logits=True)
            return {"plain": ops.mean(ce),
                    "predicted": ops.mean(ops.take(w, ops.argmax(logits, -1)) * ce),
                    "divided": ops.mean(ce / ops.take(w, ids)),
                    "summed": ops.sum(ops.take(w, ids) * ce),
                    "probabilities": ops.mean(ops.take(w, ids) * keras.losses.
                                              sparse_categorical_crossentropy(ids, logits))}[how]
        return loss
    return make


@pytest.mark.both_builds
@pytest.mark.parametrize("fn, kind", [(weighted_ce, "sample weights"),
                                      (normalised, "weighted average")])
def test_5_3_accepts_both_weighted_cross_entropies(fn, kind: str) -> None:
    feedback = checks.check("5.3", fn)
    assert feedback.passed and kind in feedback.message, feedback.message


@pytest.mark.both_builds
@pytest.mark.parametrize("fn, words", [
    (variant("plain"), "plain cross-entropy"),
    (variant("predicted"), "follow the true class"),
    (variant("divided"), "You divide by the weights"),
    (variant("summed"), "That is a sum"),
    (variant("probabilities"), "from_logits=True"),
    (numpy_only, "use keras.ops"),
    (lambda weights: 1.0, "fails"),
])
def test_5_3_names_each_plausible_mistake(fn, words: str) -> None:
    feedback = checks.check("5.3", fn)
    assert feedback.status == "wrong" and words in feedback.message, feedback.message


@pytest.mark.both_builds
def test_train_takes_your_own_loss_on_integer_masks() -> None:
    """A learner's loss function (not named 'sparse') with integer masks trains as
    segmentation: its targets are checked against the logits' spatial axes only."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(4, 1)(inputs))
    x = np.random.default_rng(0).random((8, 8, 8, 3), dtype=np.float32)
    y = np.random.default_rng(1).integers(0, 4, (8, 8, 8)).astype("int32")
    run = training.train(model, (x, y), epochs=2, batch_size=4, loss=weighted_ce(np.ones(4)),
                         live=False, quiet=True)
    assert run.task == "segmentation" and np.isfinite(run.history["loss"]).all()
    assert "mean_iou" in run.quality
