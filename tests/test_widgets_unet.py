"""The U-Net explorer: its verdict agrees with real Keras U-Nets, and it behaves as a widget."""

from __future__ import annotations

import subprocess
import sys

import pytest

from helpers.shapes import pad_to_valid, unet_plan, unet_specs
from helpers.widgets import unet_explorer

# (depth, size, cure): odd and even sizes, every cure, a size too small for its depth.
CASES = [(1, 75, "none"), (2, 76, "none"), (2, 75, "none"), (3, 75, "none"), (5, 16, "none"),
         (2, 75, "pad"), (3, 37, "pad"), (2, 64, "crop"), (2, 75, "crop"),
         (2, 75, "output_padding"), (3, 75, "output_padding"), (5, 16, "output_padding")]


def _plain_unet(keras, size: int, depth: int):
    """The U-Net of helpers.models.unet without any cure ("valid" pooling, 2x2 stride-2 up)."""
    x = inputs = keras.Input((size, size, 1))
    skips = []
    for _ in range(depth):
        x = keras.layers.Conv2D(4, 3, padding="same")(x)
        skips.append(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(4, 3, padding="same")(x)
    for i in reversed(range(depth)):
        x = keras.layers.Conv2DTranspose(4, 2, strides=2)(x)
        x = keras.layers.Concatenate()([x, skips[i]])
        x = keras.layers.Conv2D(4, 3, padding="same")(x)
    return keras.Model(inputs, x)


def _keras_output(depth: int, size: int, cure: str) -> int | None:
    """The output size Keras builds (symbolically, never on data), or None if it refuses."""
    keras = pytest.importorskip("keras")
    from helpers import models

    try:
        if cure == "none":
            model = _plain_unet(keras, size, depth)
        else:
            model = models.unet((size, size, 1), depth=depth, odd_sizes=cure, filters=4)
    except ValueError:
        return None
    h, w = model.output_shape[1:3]
    assert h == w
    return h


@pytest.mark.parametrize(("depth", "size", "cure"), CASES)
def test_the_works_verdict_is_what_keras_builds(depth: int, size: int, cure: str) -> None:
    out = _keras_output(depth, size, cure)
    ex = unet_explorer(depth=depth, size=size, cure=cure)
    assert ex.value["builds"] == (out is not None)
    assert ex.value["output"] == out
    assert ex.value["works"] == (out == size)


def test_an_odd_size_shows_the_failing_skip_and_the_nearest_sizes_that_work() -> None:
    ex = unet_explorer(depth=2, size=75)
    assert not ex.value["works"] and "DOES NOT BUILD" in ex.badge.value
    assert "37 vs 36: Concatenate fails" in ex.picture.value
    assert "concatenation needs equal height and width" in ex.message.value
    assert ex.value["valid_sizes"] == (64, 68, 72, 76, 80, 84)
    assert "0 top/left + 1 bottom/right -> 76x76" in ex.strip.value
    ex.set(cure="pad")
    assert ex.value["works"] and ex.value["padded"] == 76 and "pad input 75 -&gt; 76" in \
        ex.picture.value
    assert ex.message.value == ""


def test_crop_skips_builds_but_says_the_output_is_smaller() -> None:
    ex = unet_explorer(depth=2, size=75, cure="crop")
    assert ex.value["builds"] and not ex.value["works"] and ex.value["output"] == 72
    assert "crop skip 37 -&gt; 36" in ex.picture.value and "crop_targets" in ex.badge.value
    assert "MISMATCH" in ex.badge.value  # it builds: only the sizes differ


def test_a_size_too_small_for_the_depth_gives_an_inline_message_not_a_traceback() -> None:
    ex = unet_explorer(depth=5, size=16)
    assert ex.value["builds"] is False and ex.value["output"] is None
    assert "too small for depth 5" in ex.message.value and "Traceback" not in ex.message.value
    ex.set(cure="pad")
    assert ex.value["works"] and ex.value["padded"] == 32


def test_set_changes_several_controls_with_one_redraw() -> None:
    ex = unet_explorer()
    draws = []
    ex.picture.observe(lambda change: draws.append(change["new"]), names="value")
    ex.set(depth=3, size=80, cure="output_padding")
    assert len(draws) == 1 and ex.value["works"]
    with pytest.raises(ValueError, match="unknown control"):
        ex.set(kernel=3)


def test_the_plan_matches_the_formulas_level_by_level() -> None:
    plan = unet_plan(3, 75, "output_padding")  # ceil pooling, 2n - 1 where the skip is odd
    assert plan.downs == (75, 38, 19) and plan.bottom == 10 and plan.ups == (75, 38, 19)


def test_importing_and_using_the_explorer_does_not_import_tensorflow() -> None:
    code = ("import sys; from helpers.widgets import unet_explorer; e = unet_explorer(); "
            "e.set(cure='pad', depth=4); "
            "print([m for m in ('tensorflow', 'keras') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_pad_cure_pads_exactly_as_shapes_pad_to_valid_does() -> None:
    for depth in (1, 2, 3):
        for size in range(16, 84, 5):
            plan = pad_to_valid((size, size), unet_specs(depth))
            mine = unet_plan(depth, size, "pad")
            assert (mine.padded, mine.padding) == (plan.padded_hw[0], plan.padding[0])
