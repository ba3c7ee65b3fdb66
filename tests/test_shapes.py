"""The shape engine against Keras running on real arrays.

Every configuration is first asked of Keras symbolically (constructor and
compute_output_shape); a layer runs on data only when that says its output is
non-empty, because an empty max-pool output kills the process on the oneDNN build
(docs/keras-facts.md). A configuration that runs on one TensorFlow build only must be
refused by the engine with words that say so (ONEDNN_ONLY), and then run here exactly
when this build is the oneDNN one. tests/test_builds.py runs this file again under the
other build.
"""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest

from helpers import bridge as B
from helpers import shapes as S
from helpers.shapes import ONEDNN_ONLY, ShapeError

keras = pytest.importorskip("keras")
L = keras.layers

from builds import build_name, onednn  # noqa: E402

pytestmark = pytest.mark.both_builds


def keras_verdict(make, hw: tuple[int, int], run: bool) -> tuple[str, object]:
    """('ok', (H, W)) or ('refused', msg) or ('fails', msg) from Keras itself."""
    try:
        layer = make()
        symbolic = layer.compute_output_shape((1, *hw, 1))
    except Exception as e:  # noqa: BLE001 - any refusal counts
        return "refused", str(e)
    if not run:
        return "ok", tuple(symbolic[1:3])
    try:
        out = tuple(layer(np.zeros((1, *hw, 1), "float32")).shape[1:3])
    except Exception as e:  # noqa: BLE001
        return "fails", str(e)
    return ("fails", f"empty output {out}") if 0 in out else ("ok", out)


def engine_verdict(fn) -> tuple[str, object]:
    try:
        return "ok", fn()
    except ShapeError as e:
        return "error", str(e)


def _pair(rng: random.Random, lo: int, hi: int) -> tuple[int, int]:
    a = rng.randint(lo, hi)
    return (a, a) if rng.random() < 0.5 else (a, rng.randint(lo, hi))


def _agree(ours, theirs, config) -> None:
    if ours[0] == "ok":
        assert theirs == ("ok", ours[1]), f"{config}: engine {ours}, Keras {theirs}"
    elif ONEDNN_ONLY in ours[1]:  # refused everywhere, though the oneDNN build runs it
        runs = theirs[0] == "ok"
        assert runs == onednn(), (f"{config}: the engine says it {ONEDNN_ONLY}, but "
                                  f"{build_name(onednn())} Keras says {theirs}")
    else:
        assert theirs[0] in ("refused", "fails"), f"{config}: engine refused but Keras ran it"


def test_conv_out_matches_keras_conv2d_on_real_arrays() -> None:
    rng = random.Random(1)
    for _ in range(300):
        hw = (rng.randint(1, 40), rng.randint(1, 40))
        k, s, d = _pair(rng, 1, 7), _pair(rng, 1, 4), _pair(rng, 1, 3)
        if rng.random() < 0.6:
            d = (1, 1)
        pad = rng.choice(["valid", "same", "SAME"])
        spec = S.Conv2D(1, k, s, pad, d)
        ours = engine_verdict(lambda: spec.output_shape((*hw, 1))[:2])
        axis = engine_verdict(lambda: tuple(S.conv_out(hw[a], k[a], s[a], pad, d[a])
                                            for a in (0, 1)))
        if max(s) == 1 or max(d) == 1:  # per-axis function only differs on cross-axis rules
            assert ours == axis or (ours[0] == axis[0] == "error")
        theirs = keras_verdict(lambda: L.Conv2D(1, k, s, pad.lower(), dilation_rate=d), hw,
                               run=ours[0] == "ok")
        _agree(ours, theirs, (hw, k, s, pad, d))


@pytest.mark.parametrize("kind", ["MaxPooling2D", "AveragePooling2D"])
def test_pool_out_matches_keras_pooling_on_real_arrays(kind: str) -> None:
    rng = random.Random(2)
    for _ in range(120):
        hw = (rng.randint(1, 30), rng.randint(1, 30))
        k = _pair(rng, 1, 5)
        s = None if rng.random() < 0.4 else _pair(rng, 1, 4)
        pad = rng.choice(["valid", "same"])
        spec = getattr(S, kind)(k, s, pad)
        ours = engine_verdict(lambda: spec.output_shape((*hw, 1))[:2])
        theirs = keras_verdict(lambda: getattr(L, kind)(k, s, pad), hw, run=ours[0] == "ok")
        _agree(ours, theirs, (kind, hw, k, s, pad))


def test_deconv_out_matches_keras_conv2d_transpose_including_the_run_time_trap() -> None:
    rng = random.Random(3)
    traps = one_build = 0
    for _ in range(300):
        hw = (rng.randint(1, 24), rng.randint(1, 24))
        k, s = _pair(rng, 1, 6), _pair(rng, 1, 4)
        d = (1, 1)
        if rng.random() < 0.25:  # dilated: Keras refuses it with strides > 1, mostly
            s, d = (s if rng.random() < 0.2 else (1, 1)), _pair(rng, 1, 3)
        op = None if rng.random() < 0.3 else (rng.randint(0, s[0] - 1), rng.randint(0, s[1] - 1))
        if rng.random() < 0.05:
            op = (s[0], s[1])  # not strictly less than the stride
        pad = rng.choice(["valid", "same"])
        spec = S.Conv2DTranspose(1, k, s, pad, op, d)
        ours = engine_verdict(lambda: spec.output_shape((*hw, 1))[:2])
        # The run-time trap raises an ordinary error (it does not crash), so the
        # configurations the engine refuses are run too, to prove they fail.
        theirs = keras_verdict(
            lambda: L.Conv2DTranspose(1, k, s, pad, output_padding=op, dilation_rate=d), hw,
            run=True)
        _agree(ours, theirs, (hw, k, s, pad, op, d))
        traps += theirs[0] == "fails" and ONEDNN_ONLY not in ours[1]
        one_build += ONEDNN_ONLY in ours[1]
    assert traps >= 10, "the sample should include configurations that fail only at run time"
    assert one_build >= 10, "and dilated ones, which run on the oneDNN build only"


def test_same_padding_is_ceil_of_n_over_stride_and_puts_the_odd_pixel_last() -> None:
    assert S.conv_out(28, 3, stride=2, padding="same") == 14
    assert S.conv_out(28, 3, stride=2) == 13  # the seed article's claim holds for "valid" only
    assert S.same_padding(28, 3, stride=2) == (0, 1)
    x = np.arange(6, dtype="float32").reshape(1, 6, 1, 1) + 1
    # kernel [1, 0] with "same" on 6 pixels needs one zero, which goes at the end
    conv = L.Conv2D(1, (2, 1), padding="same", use_bias=False)
    conv.build((1, 6, 1, 1))
    conv.set_weights([np.array([0, 1], "float32").reshape(2, 1, 1, 1)])
    assert conv(x).numpy().ravel().tolist() == [2, 3, 4, 5, 6, 0]
    assert S.same_padding(6, 2) == (0, 1)


@pytest.mark.parametrize("call, words", [
    (lambda: S.conv_out(7, 5, dilation=2),
     ["kernel 5 with dilation 2 spans 9 pixels", "input is 7 wide", "padding='same'"]),
    (lambda: S.conv_out(28, 3, stride=0), ["stride=0", "at least 1"]),
    (lambda: S.conv_out(28, 3, stride=2, dilation=2), ["stride=2", "dilation=2", "use stride=1"]),
    (lambda: S.deconv_out(16, 4, stride=2, output_padding=2), ["output_padding=2",
                                                               "less than stride=2", "use None"]),
    (lambda: S.deconv_out(16, 4, stride=2, padding="same", output_padding=0),
     ["output_padding=0", "fails when the layer runs", "output_padding=None gives 32",
      "output_padding=1 gives 31"]),
    (lambda: S.pool_out(2, 3), ["pool 3", "input (2 pixels)", "padding='same'"]),
    (lambda: S.deconv_out(19, 3, dilation=2), ["dilation_rate=2", "oneDNN",
                                               "TF_ENABLE_ONEDNN_OPTS=0",
                                               "kernel_size=5 with dilation_rate=1"]),
    (lambda: S.DepthwiseConv2D(3, strides=(1, 2)).output_shape((9, 9, 1)),
     ["DepthwiseConv2D", "strides=(1, 2)", "oneDNN", "Use strides=2 (or 1) on both axes"]),
    (lambda: S.conv_out(28, 3, padding="full"), ["padding='full'", "padding='valid'"]),
    (lambda: S.Cropping2D(((20, 20), (0, 0))).output_shape((28, 28, 1)),
     ["Cropping2D", "height axis", "leaves nothing", "crop at most 27"]),
    (lambda: S.trace((28, 28, 1), [S.Conv2D(4, 3, padding="same", name="enc"),
                                   S.MaxPooling2D(2), S.Conv2D(4, 3), S.UpSampling2D(2),
                                   S.Concatenate(skip="enc")]),
     ["skip 'enc' of size 28x28", "map of size 24x24", "Cropping2D(((2, 2), (2, 2)))"]),
    (lambda: S.trace((28, 28), [S.Concatenate(skip="nope")]), ["skip='nope'", "names no"]),
])
def test_every_shape_error_names_the_parameter_the_value_and_a_fix(call, words) -> None:
    with pytest.raises(ShapeError) as info:
        call()
    for word in words:
        assert word in str(info.value)
    assert isinstance(info.value, ValueError)


def _random_stack(rng: random.Random) -> list[S.Layer]:
    layers: list[S.Layer] = []
    for _ in range(rng.randint(2, 6)):
        kind = rng.choice(["conv", "conv", "pool", "deconv", "up", "crop", "pad"])
        pad = rng.choice(["valid", "same"])
        if kind == "conv":
            layers.append(S.Conv2D(rng.randint(1, 4), _pair(rng, 1, 5), _pair(rng, 1, 3), pad))
        elif kind == "pool":
            layers.append(S.MaxPooling2D(rng.randint(2, 3), padding=pad))
        elif kind == "deconv":
            s = rng.randint(1, 3)
            op = rng.choice([None, rng.randint(0, s - 1)])
            layers.append(S.Conv2DTranspose(rng.randint(1, 4), rng.randint(1, 5), s, pad, op))
        elif kind == "up":
            layers.append(S.UpSampling2D(_pair(rng, 1, 2)))
        elif kind == "crop":
            layers.append(S.Cropping2D(((rng.randint(0, 2), rng.randint(0, 2)), (0, 1))))
        else:
            layers.append(S.ZeroPadding2D(((0, 1), (rng.randint(0, 2), 0))))
    if rng.random() < 0.3:  # a U-Net-like skip from the first layer
        first = layers[0]
        layers[0] = type(first)(**{**first.__dict__, "name": "enc0"})
        layers.append(S.Concatenate(skip="enc0"))
    return layers


def _unguarded_model(input_shape, layers):
    """Like bridge.keras_model, without asking the engine first (to compare verdicts)."""
    x = inputs = keras.Input(shape=input_shape)
    named = {}
    for layer, name in zip(layers, S.layer_names(layers)):
        if isinstance(layer, S.Concatenate):
            x = L.Concatenate(name=name)([x, named[layer.skip]])
        else:
            x = getattr(L, layer.kind)(**{**layer.keras_kwargs(), "name": name})(x)
        named[name] = x
    return keras.Model(inputs, list(named.values()))


def test_trace_and_trace_model_match_keras_models_run_on_real_arrays() -> None:
    rng = random.Random(4)
    accepted = 0
    for _ in range(60):
        shape = (rng.randint(9, 40), rng.randint(9, 40), rng.choice([1, 3]))
        layers = _random_stack(rng)
        try:
            t = S.trace(shape, layers)
        except ShapeError:
            try:
                model = _unguarded_model(shape, layers)  # symbolic: refuses empty outputs
            except Exception:  # noqa: BLE001
                continue
            with pytest.raises(Exception):  # noqa: B017 - the run-time trap
                model(np.zeros((1, *shape), "float32"))
            continue
        accepted += 1
        outs = _unguarded_model(shape, layers)(np.zeros((1, *shape), "float32"))
        assert [tuple(o.shape[1:]) for o in outs] == [r.output_shape for r in t], layers
        traced = B.trace_model(B.keras_model(shape, layers))
        assert traced.rows == t.rows
    assert accepted >= 25


def test_trace_model_reads_real_architectures_from_keras_applications() -> None:
    model = keras.applications.MobileNetV2(weights=None, input_shape=(97, 113, 3))
    t = B.trace_model(model)
    kinds = {r.kind for r in t}
    assert {"DepthwiseConv2D", "ZeroPadding2D", "BatchNormalization", "Add"} <= kinds
    for r in t:
        assert r.output_shape == tuple(model.get_layer(r.name).output.shape[1:])
        if r.kind in ("Conv2D", "DepthwiseConv2D", "ZeroPadding2D"):
            assert r.formula != "shape from Keras", r
        if r.kind in ("BatchNormalization", "ReLU", "Add"):
            assert not r.changed
    assert t.output_shape == (1000,)
    assert "floor(" in str(t) and "<table>" in t._repr_html_()


def test_trace_model_at_a_concrete_size_finds_a_skip_that_breaks() -> None:
    inputs = keras.Input((None, None, 3))
    a = L.Conv2D(8, 3, padding="same", name="enc")(inputs)
    b = L.MaxPooling2D(2)(a)
    b = L.UpSampling2D(2)(b)
    out = L.Concatenate()([b, a])
    model = keras.Model(inputs, out)
    assert B.trace_model(model, input_shape=(32, 32, 3)).output_shape == (32, 32, 16)
    with pytest.raises(ShapeError, match="input_shape=\\(31, 31, 3\\)"):
        B.trace_model(model, input_shape=(31, 31, 3))


def test_receptive_field_matches_the_gradient_footprint_in_keras() -> None:
    import tensorflow as tf

    layers = [S.Conv2D(1, 3), S.MaxPooling2D(2), S.Conv2D(1, 3, dilation_rate=2), S.Conv2D(1, 3)]
    rf = S.receptive_field(layers, (40, 40, 1))
    model = B.keras_model((40, 40, 1), layers)
    for layer in model.layers[1:]:
        if layer.weights:
            layer.set_weights([np.ones_like(w) for w in layer.get_weights()])
    x = tf.Variable(np.random.default_rng(0).random((1, 40, 40, 1), dtype="float32") + 1)
    with tf.GradientTape() as tape:
        y = model(x)[0, 0, 0, 0]  # the first output pixel
    seen = np.argwhere(tape.gradient(y, x).numpy()[0, :, :, 0] != 0)
    span = seen.max(axis=0) - seen.min(axis=0) + 1
    assert tuple(span) == rf[-1].size
    assert tuple(seen.min(axis=0) + (span - 1) / 2) == rf[-1].start
    assert rf[-1].jump == (2, 2)


def test_importing_the_shape_engine_leaves_tensorflow_out() -> None:
    code = ("import sys, helpers.shapes; "
            "print([m for m in ('tensorflow', 'keras') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_trace_marks_the_layers_that_change_size_and_renders_as_text_and_html() -> None:
    t = S.trace((75, 75, 3), [S.Conv2D(8, 3, padding="same"), S.MaxPooling2D(2),
                              S.Conv2DTranspose(3, 3, strides=2, padding="same")])
    assert [r.changed for r in t] == [False, True, True]
    assert t.output_shape == (74, 74, 3)
    assert "floor((75 - 2) / 2) + 1 = 37" in str(t)
    assert t._repr_html_().count("<tr") == 4
