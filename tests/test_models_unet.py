"""models.unet is built from shapes.unet_specs, and is the same network, weight for weight,
as a U-Net written out in plain Keras 3 (the way models.unet was written before)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import models, shapes
from helpers.bridge import trace_model

keras = pytest.importorskip("keras")
pytestmark = pytest.mark.both_builds  # tests/test_builds.py runs this file under both builds

CURES = ("pad", "crop", "output_padding")
SHAPES = [((75, 75, 3), 2), ((64, 64, 3), 2), ((75, 75, 3), 3), ((64, 64, 3), 3),
          ((75, 66, 1), 2)]


def _reference_unet(input_shape: tuple, depth: int, odd_sizes: str, filters: int = 8,
                    classes: int | None = 4) -> keras.Model:
    """A U-Net in plain Keras 3: conv + pool per level, a bottom conv, then per level a
    2x2 stride-2 transposed conv, the concatenated skip and a conv; a 1x1 head."""
    layers = keras.layers
    x = inputs = keras.Input(input_shape)
    h, w = input_shape[:2]
    padding = None
    if odd_sizes == "pad":  # the next multiple of 2 ** depth, the odd pixel at the bottom/right
        step = 2 ** depth
        extra = [-(-n // step) * step - n for n in (h, w)]
        padding = tuple((e // 2, e - e // 2) for e in extra)
        x = layers.ZeroPadding2D(padding)(x)
    skips = []
    for i in range(depth):
        x = layers.Conv2D(filters * 2 ** i, 3, padding="same", activation="relu")(x)
        skips.append(x)
        x = layers.MaxPooling2D(2, padding="same" if odd_sizes == "output_padding" else "valid")(x)
    x = layers.Conv2D(filters * 2 ** depth, 3, padding="same", activation="relu")(x)
    for i in reversed(range(depth)):
        skip, f = skips[i], filters * 2 ** i
        args = {"kernel_size": 2, "strides": 2}
        if odd_sizes == "output_padding":
            args = shapes.land_pair(tuple(x.shape[1:3]), tuple(skip.shape[1:3]),
                                    prefer=((2, 2), (2, 2)))
        x = layers.Conv2DTranspose(f, **args, activation="relu")(x)
        if odd_sizes == "crop" and tuple(skip.shape[1:3]) != tuple(x.shape[1:3]):
            cut = tuple((0, s - n) for s, n in zip(skip.shape[1:3], x.shape[1:3]))
            skip = layers.Cropping2D(cut)(skip)
        x = layers.Concatenate()([x, skip])
        x = layers.Conv2D(f, 3, padding="same", activation="relu")(x)
    if classes is None:
        x = layers.Conv2D(input_shape[2], 1, activation="sigmoid")(x)
    else:
        x = layers.Conv2D(classes, 1)(x)
    if padding is not None:
        x = layers.Cropping2D(padding)(x)
    return keras.Model(inputs, x)


@pytest.mark.parametrize("odd_sizes", CURES)
@pytest.mark.parametrize(("input_shape", "depth"), SHAPES)
def test_unet_is_the_plain_keras_unet_weight_for_weight(input_shape: tuple, depth: int,
                                                        odd_sizes: str) -> None:
    keras.utils.set_random_seed(0)
    reference = _reference_unet(input_shape, depth, odd_sizes)
    model = models.unet(input_shape, depth=depth, odd_sizes=odd_sizes, classes=4, seed=0)
    assert model.output_shape == reference.output_shape
    kinds = [type(layer).__name__ for layer in model.layers]  # the same layers, in the same order
    assert kinds == [type(layer).__name__ for layer in reference.layers]
    assert model.name == f"unet_{odd_sizes}" and model.count_params() == reference.count_params()
    for mine, theirs in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    x = np.random.default_rng(1).random((2, *input_shape), dtype=np.float32)
    assert np.allclose(model(x), reference(x), atol=1e-6)


def test_an_image_head_is_the_plain_keras_unet_too() -> None:
    keras.utils.set_random_seed(3)
    reference = _reference_unet((37, 37, 2), 2, "pad", filters=4, classes=None)
    model = models.unet((37, 37, 2), depth=2, filters=4, seed=3)
    x = np.random.default_rng(2).random((1, 37, 37, 2), dtype=np.float32)
    assert model.output_shape == (None, 37, 37, 2)
    assert np.allclose(model(x), reference(x), atol=1e-6)


@pytest.mark.parametrize("odd_sizes", CURES)
def test_the_keras_unet_has_the_sizes_of_its_specs(odd_sizes: str) -> None:
    model = models.unet((75, 75, 3), depth=3, odd_sizes=odd_sizes, classes=2)
    specs = shapes.unet_specs(3, cure=odd_sizes, input_hw=(75, 75))
    spec_rows = {r.name: r.output_shape[:2] for r in shapes.trace((75, 75, 3), specs)}
    keras_rows = {r.name: r.spatial_out for r in trace_model(model)}
    assert {k: keras_rows[k] for k in spec_rows} == spec_rows


def test_a_size_too_small_for_the_depth_is_refused_before_keras_with_the_layer() -> None:
    with pytest.raises(shapes.ShapeError, match="MaxPooling2D"):
        models.unet((3, 3, 1), depth=2, odd_sizes="crop")
