"""model_explorer on real Keras models: the sizes it shows are Keras's, where it breaks is
named, the sizes that work work, and a fix button gives a model that trains a step."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.widgets import model_explorer

pytestmark = pytest.mark.both_builds
keras = pytest.importorskip("keras")


def unet(depth: int = 4) -> keras.Model:
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, None, 1))
    x, skips = inputs, []
    for d in range(depth):
        x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name=f"enc{d}")(x)
        skips.append(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{d}")(x)
    for d in reversed(range(depth)):
        x = keras.layers.Conv2DTranspose(4, 2, strides=2, name=f"up{d}")(x)
        x = keras.layers.Concatenate(name=f"join{d}")([x, skips[d]])
    return keras.Model(inputs, keras.layers.Conv2D(1, 1, name="head")(x), name="unet")


def keras_output(model: keras.Model, n: int) -> tuple | None:
    try:
        return tuple(model.predict(np.zeros((1, n, n, 1), "float32"), verbose=0).shape[1:3])
    except Exception:  # noqa: BLE001 - Keras refuses this size
        return None


def test_the_explorer_shows_keras_sizes_names_the_break_and_sizes_that_work() -> None:
    model = unet(4)
    ex = model_explorer(model, size=(75, 75))
    assert ex.value["breaks"] == "join3" and "DOES NOT BUILD" in ex.badge.value  # 8 vs 9
    assert "join3 (Concatenate) cannot run" in ex.badge.value and "9x9" in ex.where.value
    assert ex.value["near"] and all(n % 16 == 0 for n in ex.value["near"])  # 2**4 divides
    for n in (75, 80, ex.value["near"][0]):
        ex.set(input_h=n, input_w=n)
        assert ex.value["output"] == keras_output(model, n), n
    picture = ex.picture.value
    ex.set(input_h=96, input_w=96)
    assert ex.value["output"] == (96, 96) and "MATCH" in ex.badge.value
    assert ex.picture.value != picture


def test_a_fix_button_applies_to_the_real_model_and_trains_a_step() -> None:
    model = unet(3)
    ex = model_explorer(model, size=(75, 75))
    assert ex.fix_box.children, "no fix offered at 75x75"
    ex.fix_box.children[0].click()
    fixed = ex.fixed
    assert fixed is not None and fixed.output_shape[1:3] == (75, 75), ex.outcome.value
    assert "Applied" in ex.outcome.value and ex.code.value
    fixed.compile("sgd", "mse")
    x = np.zeros((2, 75, 75, 1), "float32")
    assert np.isfinite(fixed.train_on_batch(x, x))


def test_a_keras_applications_backbone_at_odd_sizes() -> None:
    backbone = keras.applications.MobileNetV2(weights=None, include_top=False,
                                              input_shape=(None, None, 3))
    ex = model_explorer(backbone, target=None, size=(101, 101))
    for n in (101, 75, 33):
        ex.set(input_h=n, input_w=n)
        want = tuple(backbone.predict(np.zeros((1, n, n, 3), "float32"), verbose=0).shape[1:3])
        assert ex.value["output"] == want and ex.value["breaks"] is None, n
        assert "no target given" in ex.badge.value


def test_the_stack_explorer_reads_a_keras_chain_and_shows_keras_sizes() -> None:
    from helpers.shapes import ShapeError
    from helpers.widgets import stack_explorer

    inputs = keras.Input((75, 75, 1))
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same")(inputs)
    x = keras.layers.MaxPooling2D(2)(x)
    outputs = keras.layers.Conv2DTranspose(1, 3, strides=4, padding="same")(x)
    model = keras.Model(inputs, outputs)
    ex = stack_explorer(model)
    assert ex.value["output_hw"] == tuple(model.output_shape[1:3]) == (76, 76)
    assert not ex.value["matches"]
    with pytest.raises(ShapeError, match="model_explorer"):
        stack_explorer(unet(2))
