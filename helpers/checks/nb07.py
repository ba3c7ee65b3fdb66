"""Checks for 07 · Capstone: fix a classmate's U-Net.

7.1 is a predict-then-reveal question on the tile sizes the classmate's model runs on;
7.2 builds the learner's fixed model, holds it to the shape contract (every tile size gives
an output of that size) and trains it on a fixed budget to a mean-IoU threshold; 7.3 runs
the learner's tiled prediction with two real Keras models.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import Verdict, built_by, exercise, said, trained_score
from .prediction import question

__all__ = ["CONTRACT", "THRESHOLD", "BUDGET"]

CONTRACT = [(n, n) for n in range(8, 41)] + [(33, 31), (11, 32), (40, 9)]   # 7.2: (H, W)
CLASSES = 2                                   # background, shape
BUDGET = {"epochs": 8, "batch_size": 16, "lr": 2e-3, "size": 32}   # 7.2's own training
THRESHOLD = 0.7                               # 7.2: mean IoU on the 32x32 test tiles
BACKGROUND_ONLY = 0.45                        # 7.2: about what "all background" scores
TILE = 32                                     # 7.3


def _sizes(sizes: list[int]) -> str:
    return ", ".join(map(str, sizes[:10])) + (", ..." if len(sizes) > 10 else "")


@question("7.1", "the tile sizes from 24 to 40 the classmate's U-Net runs on")
def _runs_on(prediction: Any, truth: list[int]) -> Verdict:
    guess = sorted({int(v) for v in prediction})
    if guess == sorted(truth):
        return Verdict(True, "Two poolings floor twice, and each skip must meet its up-step: "
                             "only multiples of 4 come back to their skips' sizes.")
    if guess == list(range(24, 41, 2)):
        return Verdict(False, "Even sizes survive the first pooling, but not all survive the "
                              "second: 30 -> 15 -> 7 -> 14, against a skip of 15.")
    if guess == [32]:
        return Verdict(False, "32 is not the only one: which other sizes halve twice without a "
                              "remainder?")
    return Verdict(False, "Follow one size through: pool (floor of n / 2), pool again, then "
                          "double twice; the skips hold n and n / 2.")


def _run(model: Any, hw: tuple[int, int]) -> tuple | str:
    """The output shape (H, W, C) for one zero tile, or Keras's first line."""
    try:
        return tuple(np.asarray(model(np.zeros((1, *hw, 3), "float32"))).shape[1:])
    except Exception as e:  # noqa: BLE001 - whatever Keras raises is the hint
        return said(e, 160)


def _contract(model: Any) -> Verdict | None:
    """None if every tile size gives an output of its own size and CLASSES channels."""
    if tuple(model.input_shape[1:3]) != (None, None):
        h, w = model.input_shape[1:3]
        return Verdict(False, f"Your model is built on keras.Input(({h}, {w}, 3)): it fits "
                              f"{h}x{w} tiles only. The edge tiles of an image are smaller: "
                              "build it on keras.Input((None, None, 3)).")
    ran = {hw: _run(model, hw) for hw in CONTRACT}
    failed = [hw for hw, out in ran.items() if isinstance(out, str)]
    if failed:
        works = sorted(h for (h, w), out in ran.items() if h == w and not isinstance(out, str))
        first = ran[failed[0]]
        only = f"It runs on {_sizes(works)} only. " if works else ""
        return Verdict(False, f"Your model fails on tiles of {_sizes([h for h, _ in failed])} "
                              f"({failed[0][0]}x{failed[0][1]}: {first}). {only}Each fix must "
                              "work for every tile size: the amounts to pad or crop change with "
                              "the size, so read them from the tensors at run time.")
    channels = {out[-1] for out in ran.values()}
    if channels != {CLASSES}:
        return Verdict(False, f"Your model gives {max(channels)} channels; the masks have "
                              f"{CLASSES} classes (background, shape): one logit each.")
    wrong = {hw: out[:2] for hw, out in ran.items() if out[:2] != hw}
    if not wrong:
        return None
    (h, w), (oh, ow) = max(wrong.items())                  # the largest tile that misses
    where = f"A {h}x{w} tile gives {oh}x{ow}"
    if 2 * oh <= h + 1:                                     # half the tile or less: a factor
        return Verdict(False, f"{where}: the whole tile at a lower resolution. A crop of the "
                              "target to that size compares pixels that do not correspond "
                              "(notebook 04): grow the output back (notebook 02) or keep the "
                              "decoder.")
    if oh < h:
        return Verdict(False, f"{where}: {h - oh} pixels short, the 'valid' "
                              "layers' border. Edit them to padding=\"same\" (notebook 01), so "
                              "that every pixel of the tile is predicted.")
    return Verdict(False, f"{where}: {oh - h} pixels too many. Crop the output back at the "
                          "bottom/right, where the padding went.")


def _quality(model: Any) -> float:
    """Mean IoU on the test tiles after BUDGET's training (the same on every call)."""
    from helpers.data import load_shapes
    from helpers.training import mean_iou

    x, masks = load_shapes("train", BUDGET["size"], whole=True)
    x_test, masks_test = load_shapes("test", BUDGET["size"], whole=True)
    return trained_score(model, (x, (masks > 0).astype("int32")),
                         (x_test, (masks_test > 0).astype("int32")), BUDGET,
                         lambda y, p: mean_iou(y, p, CLASSES))


@exercise("7.2", "fix the classmate's U-Net for every tile size, and train it", remember=True)
def _fixed_unet(answer: Any) -> Verdict:
    model = built_by(answer, "fixed_unet", "keras.Input((None, None, 3))")
    if isinstance(model, Verdict):
        return model
    if (broken := _contract(model)) is not None:
        return broken
    score = _quality(model)
    budget = f"{BUDGET['epochs']} epochs on the {BUDGET['size']}x{BUDGET['size']} training tiles"
    if score < BACKGROUND_ONLY:
        return Verdict(False, f"Every tile size works, but after {budget} your model reaches a "
                              f"mean IoU of {score:.3f}: it calls every pixel background. The "
                              "check trains with a cross-entropy on logits: end on "
                              "Conv2D(2, 1) with no activation (no softmax, no sigmoid).")
    if score < THRESHOLD:
        return Verdict(False, f"Every tile size works, but after {budget} your model reaches a "
                              f"mean IoU of {score:.3f} on the test tiles, under {THRESHOLD}. "
                              "Keep the U-Net's pooling, up-steps and skips: a shape is "
                              "recognised from more than a few pixels around each one.")
    return Verdict(True, f"Every tile size from 8 to 40 (and oblong ones) comes back at its own "
                         f"size, and after {budget} the model reaches a mean IoU of {score:.3f} "
                         f"on the test tiles (threshold {THRESHOLD}).")


def _tiled(model: Any, image: np.ndarray, tile: int) -> np.ndarray:
    """The check's reference: each tile's output written back at the tile's own place."""
    h, w = image.shape[:2]
    out = None
    for r in range(0, h, tile):
        for c in range(0, w, tile):
            piece = np.asarray(model(image[None, r:r + tile, c:c + tile]))[0]
            out = np.zeros((h, w, piece.shape[-1]), "float32") if out is None else out
            out[r:r + tile, c:c + tile] = piece
    return out


def _probe(kernel: np.ndarray) -> Any:
    """A real Keras model on (None, None, 3): one 'same' convolution with this kernel."""
    import keras

    inputs = keras.Input((None, None, 3))
    conv = keras.layers.Conv2D(3, kernel.shape[0], padding="same", use_bias=False)
    model = keras.Model(inputs, conv(inputs))
    conv.set_weights([kernel.astype("float32")])
    return model


@exercise("7.3", "predict a large image tile by tile and stitch the outputs")
def _predict_tiled(answer: Any) -> Verdict:
    if not callable(answer):
        return Verdict(False, "Answer with a function: def predict_tiled(model, image, tile=32).")
    identity = _probe(np.eye(3)[None, None])                      # output = input
    box = _probe(np.tile(np.eye(3)[None, None] / 9, (3, 3, 1, 1)))  # 3x3 mean, zeros outside
    image = np.random.default_rng(7).random((75, 70, 3), dtype=np.float32)
    try:
        got = np.asarray(answer(identity, image, tile=TILE), dtype=np.float32)
        boxed = np.asarray(answer(box, image, tile=TILE), dtype=np.float32)
    except Exception as e:  # noqa: BLE001 - whatever the learner's code raises is the hint
        return Verdict(False, f"predict_tiled(model, image, tile=32) fails on a 75x70 image: "
                              f"{said(e, 179)}")
    got, boxed = (a[0] if a.ndim == 4 and len(a) == 1 else a for a in (got, boxed))
    if got.shape != image.shape:
        return Verdict(False, f"For a 75x70x3 image you return {got.shape}; return the stitched "
                              "outputs, (H, W, channels), one per pixel of the image.")
    if not np.allclose(got, image, atol=1e-5):
        rows, cols = np.nonzero(~np.isclose(got, image, atol=1e-5).all(-1))
        return Verdict(False, f"With a model that returns its input, your stitched image differs "
                              f"from the image from pixel ({rows[0]}, {cols[0]}): each tile's "
                              "output pixel (i, j) belongs at (row + i, column + j) of its tile.")
    if np.allclose(boxed, np.asarray(box(image[None]))[0], atol=1e-5):
        return Verdict(False, "You predict the whole image at once. The exercise is about tiles "
                              "of at most 32x32, from row and column 0, the edge tiles smaller.")
    if not np.allclose(boxed, _tiled(box, image, TILE), atol=1e-5):
        return Verdict(False, "The pixels land in their places, but the tiles are not the 32x32 "
                              "ones from row and column 0 (the edge tiles smaller): a 3x3 "
                              "filter shows their seams elsewhere.")
    return Verdict(True, "Each tile's output lands on the pixels it was computed from: with a "
                         "model whose output is its tile's size, stitching is only placement.")
