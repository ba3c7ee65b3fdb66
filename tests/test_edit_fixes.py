"""Fixes that edit the learner's model: found from its specs, applied to real Keras models
(Sequential and functional with skips), landing on the target and training one step."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import bridge as B
from helpers import fixes as F
from helpers.fixes.strategies import (
    CROP_SKIPS,
    CROP_TARGET,
    EDIT_LAYER,
    INPUT_SIZE,
    PAD_OUTPUT,
    SAME_PADDING,
    TRANSPOSED_CONV,
)

pytestmark = pytest.mark.both_builds
keras = pytest.importorskip("keras")


def same_net_with_one_valid_conv() -> keras.Model:
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv1"),
        keras.layers.BatchNormalization(name="bn1"),
        keras.layers.Conv2D(16, 3, padding="valid", activation="relu", name="conv2"),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv3"),
        keras.layers.Conv2D(1, 1, activation="sigmoid", name="head"),
    ], name="same_net")


def unet(depth: int = 3, skip_first: bool = False) -> keras.Model:
    """A learner's U-Net on (None, None, 1): same convs, 2x2 pools, 2x2 stride-2 ups."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, None, 1))
    x, skips = inputs, []
    for d in range(depth):
        x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name=f"enc{d}")(x)
        x = keras.layers.BatchNormalization(name=f"bn{d}")(x)
        skips.append(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{d}")(x)
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="bottom")(x)
    for d in reversed(range(depth)):
        x = keras.layers.Conv2DTranspose(4, 2, strides=2, name=f"up{d}")(x)
        joined = [skips[d], x] if skip_first else [x, skips[d]]
        x = keras.layers.Concatenate(name=f"join{d}")(joined)
        x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name=f"dec{d}")(x)
    return keras.Model(inputs, keras.layers.Conv2D(1, 1, name="head")(x), name="unet")


def decoder_one_pixel_short() -> keras.Model:
    """76 -> 37 -> 18 -> 37 -> 75: the last Conv2DTranspose lands one pixel short."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((76, 76, 1))
    x = keras.layers.Conv2D(8, 3, strides=2, activation="relu", name="down1")(inputs)
    x = keras.layers.Conv2D(16, 3, strides=2, activation="relu", name="down2")(x)
    x = keras.layers.Conv2DTranspose(8, 3, strides=2, activation="relu", name="up1")(x)
    x = keras.layers.Conv2DTranspose(1, 3, strides=2, name="up2")(x)
    return keras.Model(inputs, x, name="autoencoder")


def fixes_for(model: keras.Model, input_shape: tuple, target_hw: tuple) -> list[F.Fix]:
    graph = B.graph_plan(model)
    try:
        out = B.trace_model(model, input_shape).rows[-1].spatial_out
    except F.advisor.ShapeError:  # the model does not run at this size (a U-Net's joins)
        out = None
    return F.suggest(out, target_hw, graph, input_shape)


def kept_weights(before: keras.Model, after: keras.Model, edited: str | None) -> list[str]:
    """The layers with weights whose arrays came through unchanged; asserts the others
    are only the edited layer."""
    kept = []
    for layer in before.layers:
        old = layer.get_weights()
        if not old:
            continue
        new = after.get_layer(layer.name).get_weights()
        same = len(old) == len(new) and all(a.shape == b.shape and np.array_equal(a, b)
                                            for a, b in zip(old, new))
        assert same or layer.name == edited, (layer.name, edited)
        kept.append(layer.name) if same else None
    return kept


def lands_and_trains(model: keras.Model, fix: F.Fix, input_shape: tuple, target_hw: tuple,
                     seed: int) -> keras.Model:
    fixed = fix.apply(model)
    if fix.side == "model":  # before training: appended fixes train the model's own layers
        kept = kept_weights(model, fixed, fix.layer)
        assert len(kept) >= len([layer for layer in model.layers if layer.weights]) - 1
    x = np.random.default_rng(seed).random((2, *input_shape), dtype="float32")
    y = np.random.default_rng(seed + 1).random((2, *target_hw, 1), dtype="float32")
    y = fix.transform_target(y)
    assert tuple(fixed.output_shape[1:3]) == y.shape[1:3], str(fix)
    if fix.side != "target":
        assert y.shape[1:3] == target_hw or fix.strategy == CROP_SKIPS.name, str(fix)
    fixed.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    assert np.isfinite(fixed.train_on_batch(x, y)), str(fix)
    return fixed


def test_a_same_network_with_one_valid_conv_is_fixed_by_that_layers_padding() -> None:
    model = same_net_with_one_valid_conv()
    fixes = fixes_for(model, (32, 32, 3), (32, 32))
    top = fixes[0]
    assert (top.strategy, top.side, top.layer) == (EDIT_LAYER.name, "model", "conv2")
    assert top.before == "Conv2D(16, 3, padding='valid')"
    assert top.after == "Conv2D(16, 3, padding='same')"
    assert top.cost.params_delta == 0 and top.corresponds
    assert "no parameters" in top.reason and "conv2" in str(top)
    learned = next(f for f in fixes if f.strategy == TRANSPOSED_CONV.name)
    assert fixes.index(top) < fixes.index(learned)  # no new parameters beats a learned layer
    shrunk = next(f for f in fixes if f.after == "Conv2D(16, 1, padding='valid')")
    assert shrunk.cost.params_delta == (1 - 9) * 8 * 16  # 3x3 -> 1x1 on 8 -> 16 channels
    for i, fix in enumerate(fixes):
        if fix is top:
            fixed = fix.apply(model)
            assert fixed.get_layer("conv2").padding == "same"
            kept = kept_weights(model, fixed, None)
            assert len(kept) == 5  # every layer, the edited one included (same kernel)
        lands_and_trains(model, fix, (32, 32, 3), (32, 32), i)


def test_the_diagnosis_of_a_model_offers_the_edit_first() -> None:
    diagnosis = F.diagnose(same_net_with_one_valid_conv())
    assert diagnosis.fixes[0].strategy == EDIT_LAYER.name
    assert "conv2" in str(diagnosis)


@pytest.mark.parametrize("hw, skip_first", [((89, 89), False), ((101, 75), True)])
def test_a_unet_at_an_odd_size_is_fixed_by_the_input_size_or_cropped_skips(
        hw: tuple, skip_first: bool) -> None:
    model = unet(skip_first=skip_first)
    shape = (*hw, 1)
    with pytest.raises(F.advisor.ShapeError):
        B.trace_model(model, shape)  # the joins refuse this size
    fixes = fixes_for(model, shape, hw)
    ways = {f.strategy for f in fixes}
    assert {INPUT_SIZE.name, CROP_SKIPS.name} <= ways
    assert all(f.side == "model" and f.corresponds for f in fixes)
    pad = next(f for f in fixes if f.strategy == INPUT_SIZE.name)
    assert all(n % 8 == 0 for n in pad.params["padded_hw"])
    crop = next(f for f in fixes if f.strategy == CROP_SKIPS.name)
    if hw == (89, 89):  # only the top level is odd: up0's output_padding lands exactly
        top = fixes[0]
        assert (top.strategy, top.layer) == (EDIT_LAYER.name, "up0")
        assert top.after == "Conv2DTranspose(4, 2, strides=2, padding='valid', output_padding=1)"
        assert crop.cost.target_pixels_lost == 89 * 89 - 88 * 88
        assert crop.params["cropped_skips"] == ("join0",)
        assert crop.after == "Concatenate()([up0, Cropping2D(((0, 1), (0, 1)))(bn0)])"
    for i, fix in enumerate(fixes):
        lands_and_trains(model, fix, shape, hw, i)


def test_a_transposed_conv_one_pixel_short_is_fixed_by_its_output_padding() -> None:
    model = decoder_one_pixel_short()
    assert model.output_shape[1:3] == (75, 75)
    fixes = fixes_for(model, (76, 76, 1), (76, 76))
    top = fixes[0]
    assert (top.strategy, top.layer) == (EDIT_LAYER.name, "up2")
    assert top.params["edits"] == {"up2": {"output_padding": (1, 1)}}
    assert top.cost.params_delta == 0
    assert {EDIT_LAYER.name, PAD_OUTPUT.name, TRANSPOSED_CONV.name} <= {f.strategy for f in fixes}
    for i, fix in enumerate(fixes):
        fixed = lands_and_trains(model, fix, (76, 76, 1), (76, 76), i)
        if fix is top:
            assert fixed.get_layer("up2").output_padding == (1, 1)


def test_a_valid_network_gets_same_padding_on_every_valid_layer() -> None:
    keras.utils.set_random_seed(0)
    inputs = keras.Input((64, 64, 3))
    x = keras.layers.Conv2D(16, 3, activation="relu", name="c1")(inputs)
    x = keras.layers.Conv2D(16, 3, activation="relu", name="c2")(x)
    model = keras.Model(inputs, keras.layers.Conv2D(3, 1, activation="sigmoid", name="c3")(x))
    fixes = F.diagnose(model, target_shape=(64, 64)).fixes
    top = fixes[0]
    assert top.strategy == SAME_PADDING.name and top.layer is None
    assert top.params["edits"] == {"c1": {"padding": "same"}, "c2": {"padding": "same"}}
    assert top.after == "Conv2D(16, 3, padding='same'); Conv2D(16, 3, padding='same')"
    for i, fix in enumerate(fixes):
        lands_and_trains(model, fix, (64, 64, 3), (64, 64), i)


def test_an_output_off_by_a_factor_is_fixed_by_the_layer_that_downsamples() -> None:
    keras.utils.set_random_seed(0)
    inputs = keras.Input((64, 64, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.MaxPooling2D(2, name="pool")(x)
    model = keras.Model(inputs, keras.layers.Conv2D(3, 3, padding="same", name="head")(x))
    fixes = F.diagnose(model, target_shape=(64, 64, 3)).fixes
    top = fixes[0]
    assert (top.strategy, top.layer) == (EDIT_LAYER.name, "pool")
    assert top.after == "MaxPooling2D(2, strides=1, padding='same')"
    assert "stops downsampling" in top.reason
    assert [f.strategy for f in fixes][-1] == CROP_TARGET.name and not fixes[-1].corresponds
    for fix in fixes:
        x = np.zeros((1, 64, 64, 3), "float32")
        y = fix.transform_target(np.zeros((1, 64, 64, 3), "float32"))
        assert fix.apply(model)(x).shape[1:3] == y.shape[1:3], str(fix)


def test_cropping_the_target_of_a_strided_output_does_not_correspond() -> None:
    fixes = F.suggest((32, 32), (64, 64))
    crop = next(f for f in fixes if f.strategy == CROP_TARGET.name)
    assert not crop.corresponds and crop.cost.misaligned
    assert "half resolution, not its centre" in crop.reason
    assert fixes[-1].strategy in (CROP_TARGET.name, PAD_OUTPUT.name)
    assert all(not f.corresponds for f in fixes[fixes.index(crop):])
    assert all(f.corresponds for f in F.suggest((60, 60), (64, 64)))  # a border, not a factor
    assert [f.strategy for f in F.suggest((61, 61), (64, 64))][:3] == \
        [TRANSPOSED_CONV.name, PAD_OUTPUT.name, PAD_OUTPUT.name]


def test_two_branches_that_differ_are_fixed_on_the_branch_at_fault() -> None:
    inputs = keras.Input((None, None, 1))
    a = keras.layers.Conv2D(2, 3, padding="same", name="a")(inputs)
    b = keras.layers.Conv2D(2, 5, padding="valid", name="b")(inputs)  # a branch, 4 short
    model = keras.Model(inputs, keras.layers.Add(name="join")([a, b]))
    d = F.diagnose(model, (16, 16, 1))
    assert d.failed.name == "join" and d.output_hw is None
    top = d.fixes[0]
    assert (top.layer, top.after) == ("b", "Conv2D(2, 5, padding='same')")
    assert top.apply(model).output_shape == (None, 16, 16, 2)
    with pytest.raises(F.advisor.ShapeError, match="no layer named"):
        B.edited_model(model, {"nope": {"padding": "valid"}})


def residual_net() -> keras.Model:
    """A ResNet-style block: a stride-2 'same' conv (ceil) against a 2x2 pool (floor)."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, None, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="stem")(inputs)
    y = keras.layers.Conv2D(8, 3, strides=2, padding="same", activation="relu",
                            name="block_conv1")(x)
    y = keras.layers.Conv2D(8, 3, padding="same", name="block_conv2")(y)
    shortcut = keras.layers.MaxPooling2D(2, name="shortcut_pool")(x)
    x = keras.layers.Add(name="block_add")([y, shortcut])
    x = keras.layers.Conv2DTranspose(8, 2, strides=2, name="up")(x)
    return keras.Model(inputs, keras.layers.Conv2D(1, 1, name="head")(x), name="resnet_block")


def attention_net() -> keras.Model:
    """An attention gate: the skip times a sigmoid map upsampled from the coarser level."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, None, 3))
    skip = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="enc")(inputs)
    g = keras.layers.MaxPooling2D(2, name="pool")(skip)
    g = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="bottom")(g)
    psi = keras.layers.UpSampling2D(2, name="gate_up")(g)
    psi = keras.layers.Conv2D(1, 1, activation="sigmoid", name="psi")(psi)
    gated = keras.layers.Multiply(name="gate")([skip, psi])
    up = keras.layers.Conv2DTranspose(8, 2, strides=2, name="up")(g)
    x = keras.layers.Concatenate(name="join")([up, gated])
    return keras.Model(inputs, keras.layers.Conv2D(1, 1, name="head")(x), name="attention")


MERGE_CASES = {  # model, its failing merge, the two branches' sizes, each branch's culprit
    "residual Add": (residual_net, "block_add", ((38, 38, 8), (37, 37, 8)),
                     (("block_conv1", (38, 38)), ("shortcut_pool", (37, 37)))),
    "attention Multiply": (attention_net, "gate", ((75, 75, 8), (74, 74, 1)),
                           (None, ("gate_up", (74, 74)))),
}


@pytest.mark.parametrize("case", sorted(MERGE_CASES))
def test_a_merge_that_fails_at_an_odd_size_is_diagnosed_and_every_fix_trains(case: str) -> None:
    build, merge, branches, culprits = MERGE_CASES[case]
    model = build()
    d = F.diagnose(model, (75, 75, 3))  # traced, not run: the trace stops at the merge
    assert d.failed.name == merge and d.output_hw is None
    assert f"cannot join {'x'.join(map(str, branches[0]))}" in str(d)
    x = np.zeros((1, 75, 75, 3), "float32")
    try:
        model.predict(x, verbose=0)
    except Exception as e:  # noqa: BLE001 - the live error, as a learner gets it
        m = F.explain_error(e, model)
    assert (m.merge, m.input_hw, m.branches, m.culprits) == (merge, (75, 75), branches, culprits)
    assert m.fixes and [f.strategy for f in m.fixes] == [f.strategy for f in d.fixes]
    assert m.fixes[0].strategy == INPUT_SIZE.name  # the whole target still predicted
    for i, fix in enumerate(m.fixes):
        assert fix.side == "model" and fix.corresponds, str(fix)
        lands_and_trains(model, fix, (75, 75, 3), (75, 75), i)
