"""The explorers, driven by setting values as a learner's drags would."""

from __future__ import annotations

import subprocess
import sys

import ipywidgets as w
import numpy as np
import pytest

from helpers import shapes as S
from helpers.widgets import conv_explorer, stack_explorer, transpose_explorer


def test_conv_explorer_updates_size_formula_and_picture_when_the_stride_moves() -> None:
    ex = conv_explorer(n=28, kernel=3, stride=1)
    before = (ex.readout.value, ex.picture.value)
    assert "output: 26 x 26" in before[0] and "floor((28 - 3) / 1) + 1 = 26" in before[0]
    ex.controls["stride"].value = 2
    assert ex.value["output"] == 13
    assert "floor((28 - 3) / 2) + 1 = 13" in ex.readout.value
    assert ex.picture.value != before[1] and ex.picture.value.startswith("<svg")


def test_conv_explorer_shows_same_padding_split_with_the_odd_pixel_last() -> None:
    ex = conv_explorer(n=28, kernel=3, stride=2, padding="same")
    assert ex.value["output"] == 14
    assert "0 top/left, 1 bottom/right" in ex.readout.value


def test_impossible_settings_show_the_message_not_a_traceback() -> None:
    ex = conv_explorer(n=7, kernel=5, stride=1, dilation=2)
    assert ex.value["output"] is None
    assert "spans 9 pixels" in ex.picture.value and "Traceback" not in ex.picture.value
    ex.set(dilation=1)
    assert ex.value["output"] == 3 and ex.picture.value.startswith("<svg")


def test_setting_several_values_redraws_once_and_reads_back() -> None:
    ex = conv_explorer()
    draws = []
    ex.picture.observe(lambda change: draws.append(change["new"]), names="value")
    ex.value = {"n": 32, "kernel": 4, "stride": 2, "padding": "valid", "dilation": 1}
    assert len(draws) == 1 and ex.value["output"] == 15


def test_transpose_explorer_offers_only_output_paddings_that_really_run() -> None:
    keras = pytest.importorskip("keras")
    ex = transpose_explorer(n=16, kernel=4, stride=2, padding="same")
    offered = [v for _, v in ex.controls["output_padding"].options]
    assert offered == ["none", 1]  # output_padding=0 fails in TensorFlow (docs/keras-facts.md)
    for op in offered:
        ex.set(output_padding=op)
        layer = keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same",
                                             output_padding=None if op == "none" else op)
        out = layer(np.zeros((1, 16, 16, 1), "float32")).shape[1]
        assert out == ex.value["output"]
    assert "checkerboard" not in ex.picture.value or "no checkerboard" in ex.picture.value
    ex.set(kernel=3)
    assert "uneven overlap" in ex.picture.value


def test_transpose_explorer_solves_for_a_target_size() -> None:
    ex = transpose_explorer(n=38)
    found = ex.solve(75)
    assert found and ex.value["output"] == 75
    assert "Ways to land on 75" in ex.solutions.value
    assert ex.solve(500) == [] and "no Conv2DTranspose" in ex.solutions.value


def test_stack_explorer_redraws_when_the_input_or_a_layer_changes() -> None:
    ex = stack_explorer(input_shape=(64, 64, 1))
    first = (ex.diagram.value, ex.table.value, ex.value["output_hw"])
    assert "MISMATCH" in ex.badge.value
    ex.controls["input_h"].value = 75
    assert ex.value["output_hw"] == (18, 14) and ex.diagram.value != first[0]
    ex.controls["stride_1"].value = 1
    assert ex.value["output_hw"] == (36, 30)
    ex.controls["kernel_2"].value = 7  # a 7-wide pool still fits the 36-pixel map
    ex.set(input_h=6, input_w=6)
    assert ex.value["output_hw"] is None and "DOES NOT BUILD" in ex.badge.value
    assert "MISMATCH" not in ex.badge.value and "Does not build." in ex.badge.value
    assert not ex.fix("crop the output") and not ex.check_with_keras()
    assert "does not build at this size" in ex.keras_box.value  # the buttons say why


def test_a_size_field_refuses_what_is_not_a_size_and_says_so() -> None:
    ex = stack_explorer(input_shape=(64, 64, 1))
    field, before = ex.controls["input_h"], ex.diagram.value
    for typed, why in [("7.5", "whole number"), ("600", "out of range"), ("", "whole number")]:
        field.text.value = typed  # what the browser sends on Enter
        assert field.value == 64 and ex.diagram.value == before, typed
        assert why in field.note.value and "Still 64" in field.note.value, typed
    field.text.value = "75"
    assert field.value == 75 and field.note.value == "" and ex.diagram.value != before
    ex.set(input_h=32)  # set from code: the text follows
    assert field.text.value == "32"


@pytest.mark.parametrize("label", ["pad the output", "upsample", "transposed conv", "resize"])
def test_each_fix_button_produces_a_matching_network(label: str) -> None:
    ex = stack_explorer(input_shape=(64, 64, 1))
    assert ex.fix(label)
    assert ex.value["matches"] and "MATCH" in ex.badge.value
    out = S.trace((64, 64, 1), ex.value["layers"]).output_shape[:2]
    assert out == (64, 64)
    ex.clear_fixes()
    assert not ex.value["matches"]


def test_the_crop_button_applies_when_the_output_is_too_large_and_explains_otherwise() -> None:
    ex = stack_explorer([S.Conv2D(8, 3, padding="same"), S.Conv2DTranspose(8, 4)],
                        input_shape=(32, 32, 1))
    assert ex.value["output_hw"] == (35, 35)
    assert not ex.fix("upsample") and "does not apply" in ex.badge.value
    assert not ex.fix("crop and pad the output") and "does not apply" in ex.badge.value
    assert ex.fix("crop the output") and ex.value["matches"]


def test_the_fix_buttons_are_the_output_side_strategies_of_the_registry() -> None:
    from helpers.fixes import STRATEGIES

    ex = stack_explorer()
    buttons = [b.description for box in ex.children if isinstance(box, w.HBox)
               for b in box.children if isinstance(b, w.Button)]
    output_side = [s.label for s in STRATEGIES.values() if s.side == "output"]
    assert [b for b in buttons if b in output_side] == output_side
    with pytest.raises(S.ShapeError, match="not a fix button"):
        ex.fix("crop")


def test_check_with_keras_agrees_with_the_trace() -> None:
    pytest.importorskip("keras")
    ex = stack_explorer(input_shape=(75, 75, 1))
    ex.fix("transposed conv")
    assert ex.check_with_keras() and "agrees" in ex.keras_box.value
    assert "MATCH" not in ex.keras_box.value  # a note about Keras, not a second size verdict


def test_the_explorers_do_not_import_tensorflow() -> None:
    code = ("import sys; from helpers.widgets import *; conv_explorer(); transpose_explorer(); "
            "e = stack_explorer(); e.fix('pad the output'); "
            "print([m for m in ('tensorflow', 'keras') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_transpose_explorer_sets_output_padding_after_the_settings_that_allow_it() -> None:
    ex = transpose_explorer(n=16, kernel=4, stride=2, padding="same")
    ex.set(kernel=3, output_padding=0)  # 0 does not run with kernel 4, but does with 3
    assert ex.value["output_padding"] == 0 and ex.value["output"] == 31
    with pytest.raises(ValueError, match="does not run"):
        ex.set(kernel=4, output_padding=0)


@pytest.mark.slow
@pytest.mark.parametrize("strategy, task", [("downsampled target", "segmentation"),
                                            ("crop", "denoising"),
                                            ("pad + masked loss", "segmentation")])
def test_training_playground_trains_in_the_background_and_shows_loss_and_gallery(
        strategy: str, task: str, monkeypatch) -> None:
    from helpers.widgets import training_playground

    monkeypatch.setenv("CNNLAB_FAST", "1")
    pg = training_playground(strategy=strategy, task=task, epochs=2)
    pg.start().join(timeout=300)
    assert "<b>" + strategy in pg.status.value, pg.status.value
    assert len(pg.value["history"]["loss"]) == pg.progress.value >= 1
    assert pg.curve.value.startswith("<svg") and pg.gallery.value[:4] == b"\x89PNG"
    assert not pg.train_button.disabled and pg.stop_button.disabled
    masked = strategy.startswith("pad")  # the loss ignores the zero border it cannot predict
    assert (pg.last_run.ignored_pixels > 0) == masked, pg.last_run.ignored_pixels


@pytest.mark.slow
def test_the_stop_button_ends_training_early(monkeypatch) -> None:
    from helpers.widgets import training_playground

    monkeypatch.delenv("CNNLAB_FAST", raising=False)
    pg = training_playground(strategy="same padding", task="denoising", epochs=30)
    thread = pg.start()
    while not pg.value["history"]["loss"] and thread.is_alive():
        thread.join(timeout=0.2)
    pg.stop()
    thread.join(timeout=300)
    assert 1 <= len(pg.value["history"]["loss"]) < 30
    assert "(stopped)" in pg.status.value


def test_explorers_carry_the_css_classes_the_browser_test_finds_them_by() -> None:
    conv, stack = conv_explorer(), stack_explorer()
    assert "cnnlab-conv-explorer" in conv._dom_classes
    assert "cnnlab-readout" in conv.readout._dom_classes
    assert "cnnlab-picture" in conv.picture._dom_classes
    assert "cnnlab-stack-explorer" in stack._dom_classes
    assert "cnnlab-badge" in stack.badge._dom_classes
    assert "cnnlab-picture" in stack.diagram._dom_classes
