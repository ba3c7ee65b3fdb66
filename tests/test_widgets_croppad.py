"""The crop/pad explorer: the layer it names, built in Keras on real arrays, does what it shows."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from helpers.fixes import crop_pad
from helpers.widgets import crop_pad_explorer

SIZES = [((61, 61), (64, 64)), ((60, 57), (64, 64)), ((1, 5), (4, 9)), ((30, 31), (33, 40))]


def _keras_layer(text: str):
    """Build the layer the explorer names, from its own text."""
    keras = pytest.importorskip("keras")
    from helpers.bridge import keras_layer
    from helpers.shapes import ReflectPadding2D

    names = {"Cropping2D": keras.layers.Cropping2D, "ZeroPadding2D": keras.layers.ZeroPadding2D,
             "ReflectPadding2D": lambda p: keras_layer(ReflectPadding2D(p))}
    return eval(text, {"__builtins__": {}}, names)  # noqa: S307 - our own widget's text


def _numbered(h: int, w: int) -> np.ndarray:
    """(1, h, w, 1) whose pixel (i, j) holds i * 1000 + j, so a crop shows where it came from."""
    i, j = np.mgrid[:h, :w]
    return (i * 1000 + j).astype("float32")[None, ..., None]


@pytest.mark.parametrize("output_hw, target_hw", SIZES)
def test_the_named_crop_of_the_target_keeps_the_window_the_picture_shows(output_hw,
                                                                         target_hw) -> None:
    ex = crop_pad_explorer(output_hw, target_hw, mode="crop_target")
    (gh, gw) = (target_hw[0] - output_hw[0], target_hw[1] - output_hw[1])
    for top, left in {(0, 0), (gh, gw), (gh // 2, gw // 2), (gh, 0)}:
        ex.set(top=top, left=left)
        y = _numbered(*target_hw)
        cropped = np.asarray(_keras_layer(ex.value["layer"])(y))
        assert cropped.shape[1:3] == output_hw
        assert cropped[0, 0, 0, 0] == top * 1000 + left  # the window starts at the offset
        assert ex.value["ignored"] == target_hw[0] * target_hw[1] - output_hw[0] * output_hw[1]


@pytest.mark.parametrize("fill", ["zeros", "reflect"])
@pytest.mark.parametrize("output_hw, target_hw", SIZES)
def test_the_named_padding_takes_the_output_to_the_target_size_at_the_offset(
        fill, output_hw, target_hw) -> None:
    ex = crop_pad_explorer(output_hw, target_hw, mode="pad_output", fill=fill)
    (gh, gw) = (target_hw[0] - output_hw[0], target_hw[1] - output_hw[1])
    for top, left in {(0, 0), (gh, gw), (gh // 2, gw // 2)}:
        ex.set(top=top, left=left)
        if ex.value["layer"] is None:  # reflect cannot add more than n - 1 per side
            assert fill == "reflect" and "mirror" in ex.picture.value
            continue
        x = _numbered(*output_hw) + 1
        padded = np.asarray(_keras_layer(ex.value["layer"])(x))
        assert padded.shape[1:3] == target_hw
        assert padded[0, top, left, 0] == 1  # the output's first pixel sits at (top, left)
        if fill == "zeros":
            assert (padded == 0).sum() == ex.value["invented"]
        assert ex.value["ignored"] == 0


@pytest.mark.parametrize("output_hw, target_hw", [((64, 64), (61, 61)), ((67, 70), (64, 64))])
def test_the_named_crop_of_the_output_gives_the_target_size(output_hw, target_hw) -> None:
    ex = crop_pad_explorer(output_hw, target_hw, mode="crop_output")
    for top in range(output_hw[0] - target_hw[0] + 1):
        ex.set(top=top, left=0)
        out = np.asarray(_keras_layer(ex.value["layer"])(_numbered(*output_hw)))
        assert out.shape[1:3] == target_hw and out[0, 0, 0, 0] == top * 1000
        assert ex.value["discarded"] == output_hw[0] * output_hw[1] - target_hw[0] * target_hw[1]


def test_the_default_offset_is_centred_with_the_odd_pixel_at_the_bottom_right_like_centercrop(
        ) -> None:
    keras = pytest.importorskip("keras")
    ex = crop_pad_explorer((61, 62), (64, 64))
    assert ex.value["edges"] == ((1, 2), (1, 1))
    y = _numbered(64, 64)
    ours = np.asarray(_keras_layer(ex.value["layer"])(y))
    theirs = np.asarray(keras.layers.CenterCrop(61, 62)(y))
    assert np.array_equal(ours, theirs)


def test_changing_a_size_recentres_the_offsets_and_limits_their_range() -> None:
    ex = crop_pad_explorer((61, 61), (64, 64))
    ex.controls["top"].value = 0
    assert ex.value["edges"][0] == (0, 3)
    ex.controls["output_h"].value = 54
    assert ex.controls["top"].max == 10 and ex.value["edges"][0] == (5, 5)


@pytest.mark.parametrize("settings, words", [
    ({"mode": "crop_target", "output_h": 70}, "crop the output instead"),
    ({"mode": "crop_output"}, "crop the target or pad the output"),
    ({"mode": "pad_output", "fill": "reflect", "output_h": 2, "output_w": 2}, "at most 1"),
    ({"top": 9}, "from 0 to 3"),
])
def test_bad_settings_show_an_inline_message_not_an_exception(settings, words) -> None:
    ex = crop_pad_explorer((61, 61), (64, 64))
    ex.set(**settings)
    assert ex.value["layer"] is None and words in ex.value["error"]
    assert "cannot meet" in ex.picture.value and "Traceback" not in ex.picture.value
    ex.set(mode="crop_target", fill="zeros", output_h=61, output_w=61)
    assert ex.value["layer"] == "Cropping2D(((1, 2), (1, 2)))"
    assert ex.picture.value.startswith("<svg")


def test_set_redraws_once_and_reads_back() -> None:
    ex = crop_pad_explorer()
    draws = []
    ex.picture.observe(lambda change: draws.append(change["new"]), names="value")
    ex.set(output_h=58, output_w=60, target_h=64, target_w=66, mode="pad_output", top=1, left=2)
    assert len(draws) == 1
    assert ex.value["layer"] == "ZeroPadding2D(((1, 5), (2, 4)))" and ex.value["invented"] == 744


def test_the_readout_names_the_layer_and_the_ignored_pixels() -> None:
    ex = crop_pad_explorer((61, 61), (64, 64))
    assert "Cropping2D(((1, 2), (1, 2)))" in ex.readout.value
    assert "target pixels ignored: 375 of 4096 (9.2%)" in ex.readout.value
    ex.set(mode="pad_output")
    assert "target pixels ignored: 0 of 4096" in ex.readout.value
    assert "masked_loss" in ex.readout.value


def test_crop_pad_agrees_with_the_fix_advisor() -> None:
    from helpers.fixes import suggest

    for output_hw, target_hw in SIZES:
        fix = next(f for f in suggest(output_hw, target_hw) if f.strategy == "crop_target")
        assert crop_pad(output_hw, target_hw).edges == fix.params["cropping"]
        assert crop_pad(output_hw, target_hw).ignored == fix.cost.target_pixels_lost


def test_the_explorer_offers_the_crop_and_pad_strategies_of_the_registry() -> None:
    from helpers.fixes.strategies import CROP_OUTPUT, CROP_TARGET, PAD_OUTPUT

    ex = crop_pad_explorer()
    assert [v for _, v in ex.controls["mode"].options] == [
        CROP_TARGET.name, PAD_OUTPUT.name, CROP_OUTPUT.name]
    assert [label for label, _ in ex.controls["mode"].options] == [
        CROP_TARGET.label, PAD_OUTPUT.label, CROP_OUTPUT.label]
    assert ex.controls["fill"].options == PAD_OUTPUT.variants and ex.controls["fill"].disabled
    ex.set(mode="pad_output", fill="reflect")
    assert not ex.controls["fill"].disabled and ex.value["layer"].startswith("ReflectPadding2D")


def test_importing_and_using_the_explorer_does_not_import_tensorflow() -> None:
    code = ("import sys; from helpers.widgets import crop_pad_explorer; "
            "e = crop_pad_explorer(); e.set(mode='pad_output', fill='reflect'); "
            "print([m for m in ('tensorflow', 'keras') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
