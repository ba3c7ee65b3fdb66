"""The fix advisor and model doctor, on real Keras models and real training steps."""

from __future__ import annotations

import random

import numpy as np
import pytest

from helpers import bridge as B
from helpers import fixes as F
from helpers import shapes as S
from helpers.shapes import ShapeError

keras = pytest.importorskip("keras")
L = keras.layers
pytestmark = pytest.mark.both_builds  # tests/test_builds.py runs this file under both builds

ALLOWED = {  # no fix is silently something else
    "crop_output": {"Cropping2D"},
    "pad_output": {"ZeroPadding2D", "ReflectPadding2D"},
    "crop_pad_output": {"Cropping2D", "ZeroPadding2D"},
    "upsample_output": {"UpSampling2D", "Cropping2D", "ZeroPadding2D"},
    "transposed_conv": {"Conv2DTranspose"},
    "resize_output": {"Resizing"},
    "crop_target": {"Cropping2D"},
    "downsample_target": {"AveragePooling2D"},
    "resize_target": {"Resizing"},
}


def random_encoders(count: int, seed: int = 7) -> list[tuple[tuple, list]]:
    """Seeded conv/pool encoders that the shape engine accepts, with their inputs."""
    rng, found = random.Random(seed), []
    while len(found) < count:
        shape = (rng.randint(17, 129), rng.randint(17, 129), rng.choice([1, 3]))
        if rng.random() < 0.3:
            shape = (shape[0], shape[0], shape[2])
        layers = []
        for _ in range(rng.randint(1, 4)):
            pad = rng.choice(["valid", "same"])
            if rng.random() < 0.6:
                dilate = rng.random() < 0.2
                layers.append(S.Conv2D(rng.randint(1, 6), rng.randint(1, 5),
                                       1 if dilate else rng.randint(1, 3), pad,
                                       rng.randint(2, 3) if dilate else 1))
            else:
                layers.append(S.MaxPooling2D(rng.randint(2, 3), padding=pad))
        try:
            out = S.trace(shape, layers).output_shape
        except ShapeError:
            continue
        if out[:2] != shape[:2]:
            found.append((shape, layers))
    return found


ENCODERS = random_encoders(200)


def test_every_suggested_fix_applied_gives_the_target_size() -> None:
    rng, trained = random.Random(11), 0
    for i, (shape, layers) in enumerate(ENCODERS):
        model = B.keras_model(shape, layers)
        out, target = tuple(model.output_shape[1:3]), shape[:2]
        fixes = F.suggest(out, target)
        assert fixes, (shape, layers)
        assert any(f.side == "output" for f in fixes)
        for fix in fixes:
            kinds = {spec.kind for spec in fix.specs(3)}
            assert kinds <= ALLOWED[fix.strategy], (fix.strategy, kinds)
            fixed = fix.apply(model)
            if fix.side == "output":
                assert tuple(fixed.output_shape[1:3]) == target, (shape, layers, str(fix))
            else:
                assert fixed is model
                y = np.zeros((1, *target, 1), "float32")
                assert fix.transform_target(y).shape[1:3] == out, str(fix)
        if i % 5 == 0:  # 40 of them: one real training step with MSE
            fix = fixes[rng.randrange(len(fixes))]
            fixed = fix.apply(model)
            fixed.compile(optimizer="sgd", loss="mse", run_eagerly=True)
            x = np.random.default_rng(i).random((2, *shape), dtype="float32")
            y = np.random.default_rng(i).random((2, *target, fixed.output_shape[-1]),
                                                dtype="float32")
            loss = fixed.train_on_batch(x, fix.transform_target(y))
            assert np.isfinite(loss)
            trained += 1
    assert trained >= 40


def test_a_trainable_fix_keeps_the_output_range_of_a_sigmoid_model() -> None:
    import keras

    def model(activation: str | None) -> keras.Model:
        inputs = keras.Input((16, 16, 1))
        return keras.Model(inputs, keras.layers.Conv2D(1, 3, activation=activation)(inputs))

    x = np.random.default_rng(0).normal(0, 50, (2, 16, 16, 1)).astype("float32")
    for fix in F.suggest((14, 14), (16, 16)):
        if fix.side != "output":
            continue
        squashed, logits = fix.apply(model("sigmoid")), fix.apply(model(None))
        trainable = fix.strategy == "transposed_conv"
        assert (squashed.layers[-1].name == "output_activation") == trainable, fix
        assert logits.layers[-1].name != "output_activation"
        y = np.asarray(squashed(x))
        assert y.shape == (2, 16, 16, 1) and y.min() >= 0 and y.max() <= 1, fix


def test_target_side_fixes_never_invent_class_ids_in_masks() -> None:
    masks = np.random.default_rng(0).integers(0, 3, size=(2, 64, 64)).astype("int32")
    masks[:, :, :8] = 3  # a class that only lives at the border
    for out in [(32, 32), (21, 21), (60, 60)]:
        for fix in F.suggest(out, (64, 64)):
            if fix.side == "target":
                y = fix.transform_target(masks, masks=True)
                assert y.shape[1:3] == out and y.dtype == masks.dtype
                assert set(np.unique(y)) <= set(np.unique(masks)), fix.strategy


def test_fixes_are_ranked_and_explain_their_cost() -> None:
    fixes = F.suggest((61, 61), (64, 64))
    assert [f.score for f in fixes] == sorted(f.score for f in fixes)
    pad = next(f for f in fixes if f.strategy == "pad_output")
    assert pad.cost.pixels_invented == 64 * 64 - 61 * 61
    assert pad.params["padding"] == ((1, 2), (1, 2))  # the odd pixel at the bottom/right
    crop = next(f for f in F.suggest((67, 66), (64, 64)) if f.strategy == "crop_output")
    assert crop.params["cropping"] == ((1, 2), (1, 1))
    assert crop.cost.output_pixels_discarded == 67 * 66 - 64 * 64
    up = next(f for f in F.suggest((16, 16), (64, 64)) if f.strategy == "transposed_conv")
    assert up.extra_params(8) == 4 * 4 * 8 * 8 + 8
    assert "4" in up.reason and "lands exactly" in up.reason
    assert F.suggest((64, 64), (64, 64)) == []


def test_mirror_decoder_round_trips_every_random_encoder_exactly() -> None:
    for i, (shape, layers) in enumerate(ENCODERS):
        decoder = S.mirror_decoder(layers, shape)
        assert S.trace(shape, layers + decoder).output_shape == shape, (shape, layers, decoder)
        if i % 10 == 0 or any(getattr(x, "dilation_rate", 1) != 1 for x in layers):  # Keras too
            model = B.keras_model(shape, layers + decoder)
            assert model(np.zeros((1, *shape), "float32")).shape[1:] == shape


def test_mirror_decoder_lands_odd_sizes_75_38_19_38_75() -> None:
    enc = [S.Conv2D(8, 3, strides=2, padding="same"), S.Conv2D(16, 3, strides=2, padding="same")]
    sizes = [r.output_shape[0] for r in S.trace((75, 75, 1), enc + S.mirror_decoder(enc, (75, 75)))]
    assert sizes == [38, 19, 38, 75]


def _unet(depth: int) -> list[S.Layer]:
    enc, dec = [], []
    for d in range(depth):
        enc += [S.Conv2D(2, 3, padding="same", name=f"s{d}"), S.MaxPooling2D(2)]
    for d in reversed(range(depth)):
        dec += [S.Conv2DTranspose(2, 2, strides=2), S.Concatenate(skip=f"s{d}")]
    return enc + [S.Conv2D(2, 3, padding="same")] + dec


def test_valid_input_sizes_agrees_with_brute_force_through_keras() -> None:
    layers = _unet(2)
    brute = []
    for n in range(17, 41):
        try:
            x = inputs = keras.Input((n, n, 1))
            named = {}
            for spec, name in zip(layers, S.layer_names(layers)):
                if isinstance(spec, S.Concatenate):
                    x = L.Concatenate()([x, named[spec.skip]])
                else:
                    x = B.keras_layer(spec)(x)
                named[name] = x
            model = keras.Model(inputs, x)
        except Exception:  # noqa: BLE001 - Keras refused this size symbolically
            continue
        if model(np.zeros((1, n, n, 1), "float32")).shape[1:3] == (n, n):
            brute.append(n)
    assert S.valid_input_sizes(layers, 17, 40) == brute == [20, 24, 28, 32, 36, 40]
    assert S.valid_input_sizes(_unet(4), 100, 130) == [112, 128]  # multiples of 16


def test_pad_to_valid_finds_the_least_padding_that_a_full_search_finds() -> None:
    # Symmetric stacks are searched one axis at a time; others row by row. Both must
    # agree with trying every (H, W) in order.
    def least(layers: list, h: int, w: int) -> tuple[int, int]:
        return next((th, tw) for th in range(h, h + 80) for tw in range(w, w + 80)
                    if _fits(layers, th, tw))

    def _fits(layers: list, th: int, tw: int) -> bool:
        try:
            return S.trace((th, tw, 1), layers).output_shape[:2] == (th, tw)
        except ShapeError:
            return False

    lopsided = [S.MaxPooling2D((2, 1)), S.MaxPooling2D((2, 1)), S.UpSampling2D((4, 1))]
    rng = random.Random(3)
    for layers in (_unet(2), _unet(3), lopsided):
        for _ in range(4):
            h, w = rng.randint(17, 70), rng.randint(17, 70)
            assert S.pad_to_valid((h, w), layers).padded_hw == least(layers, h, w), (h, w)


def test_pad_to_valid_makes_an_odd_input_survive_a_unet() -> None:
    layers = _unet(3)
    plan = S.pad_to_valid((75, 77), layers)
    assert plan.padded_hw == (80, 80) and plan.padding == ((2, 3), (1, 2))
    full = [plan.pad(), *layers, plan.crop()]
    assert S.trace((75, 77, 1), full).output_shape[:2] == (75, 77)


def _model(layers, shape=(64, 64, 1)):
    inputs = keras.Input(shape)
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


def test_diagnose_names_the_third_layer_when_it_causes_the_mismatch() -> None:
    model = _model([L.Conv2D(8, 3, padding="same", name="a"),
                    L.Conv2D(8, 3, padding="same", name="b"),
                    L.Conv2D(8, 3, name="culprit"),  # valid: 64 -> 62
                    L.Conv2D(1, 3, padding="same", name="d")])
    d = F.diagnose(model)
    assert not d.matches and d.output_hw == (62, 62)
    assert d.departure.name == "culprit"
    assert "culprit" in str(d) and "floor((64 - 3) / 1) + 1 = 62" in str(d)
    assert d.fixes and "<table>" in d._repr_html_()
    assert F.diagnose(_model([L.Conv2D(1, 3, padding="same")])).matches


def test_diagnose_flags_a_1x1_output_as_a_silent_broadcast() -> None:
    model = _model([L.Conv2D(4, 3, strides=2), L.GlobalAveragePooling2D(keepdims=True)],
                   (28, 28, 1))
    assert model.output_shape == (None, 1, 1, 4)
    d = F.diagnose(model, target_shape=(28, 28, 4))
    assert d.broadcast and "Silent broadcast" in str(d)


def _error(call) -> Exception:
    try:
        call()
    except Exception as e:  # noqa: BLE001
        return e
    raise AssertionError("expected Keras to raise")


def test_explain_error_reads_every_usual_mismatch_message_from_real_keras_calls() -> None:
    model = _model([L.Conv2D(4, 3, name="shrinks")], (28, 28, 1))  # 28 -> 26
    x = np.zeros((2, 28, 28, 1), "float32")
    errors = {}
    for loss, y in [("mse", np.zeros((2, 28, 28, 4))), ("binary_crossentropy",
                                                         np.zeros((2, 28, 28, 4))),
                    ("sparse_categorical_crossentropy", np.zeros((2, 28, 28)))]:
        model.compile(loss=loss)
        errors[loss] = _error(lambda y=y: model.fit(x, y, verbose=0))
    errors["eager"] = _error(lambda: keras.losses.mean_squared_error(
        np.zeros((2, 28, 28, 4), "float32"), np.zeros((2, 26, 26, 4), "float32")))
    for name, exc in errors.items():
        d = F.explain_error(exc, model)
        assert (d.target_hw, d.output_hw) == ((28, 28), (26, 26)), name
        assert d.departure.name == "shrinks" and d.fixes and d.error
        assert F.explain_error(exc).kind == "loss"

    skip = _error(lambda: L.Concatenate()([keras.Input((88, 88, 8)), keras.Input((89, 89, 8))]))
    assert F.read_error(skip).kind == "skip"
    inputs = keras.Input((None, None, 3))
    a = L.Conv2D(4, 3, padding="same")(inputs)
    b = L.UpSampling2D(2)(L.MaxPooling2D(2)(a))
    unet = keras.Model(inputs, L.Concatenate()([b, a]))
    run_time = _error(lambda: unet(np.zeros((1, 31, 31, 3), "float32")))
    reading = F.read_error(run_time)
    assert reading.kind == "skip" and {reading.target_hw, reading.output_hw} == {(30, 30), (31, 31)}
    merge = F.explain_error(run_time, unet)  # no longer raises: tests/test_errors_read.py
    assert merge.merge == unet.layers[-1].name and merge.input_hw == (31, 31)
    assert F.explain_error(ValueError("something else entirely")) is None


def test_the_code_of_every_output_fix_runs_when_pasted_and_lands_on_the_target() -> None:
    from helpers import bridge, shapes

    for out, target in [((19, 19), (75, 75)), ((60, 60), (64, 64)), ((67, 67), (64, 64))]:
        inputs = keras.Input((*out, 3))
        model = keras.Model(inputs, L.Conv2D(5, 1)(inputs))
        for fix in F.suggest(out, target):
            if fix.side != "output":
                continue
            space = {"keras": keras, "model": model, "bridge": bridge, "shapes": shapes}
            exec(fix.code(), space)  # noqa: S102 - the code a learner would paste
            landed = space["model"]
            assert tuple(landed.output_shape[1:]) == (*target, 5), (fix.strategy, fix.code())
