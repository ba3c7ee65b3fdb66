"""What the engine accepts runs on both TensorFlow CPU builds (with and without oneDNN).

The sample tests run under this process's build; the last test runs every test marked
`both_builds` (these and the engine-vs-Keras comparisons) again under the other build,
so `make test` checks both on every machine. docs/keras-facts.md has the findings.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys

import numpy as np
import pytest

from helpers import bridge as B
from helpers import fixes as F
from helpers import shapes as S
from helpers.shapes import ONEDNN_ONLY, ShapeError

keras = pytest.importorskip("keras")

from builds import build_name, onednn, other_build  # noqa: E402

both_builds = pytest.mark.both_builds


def _pair(rng: random.Random, lo: int, hi: int) -> tuple[int, int]:
    a = rng.randint(lo, hi)
    return (a, a) if rng.random() < 0.5 else (a, rng.randint(lo, hi))


def _runs_as_the_engine_says(spec: S.Layer, shape: tuple[int, int, int]) -> None:
    """Build the real layer from the spec, run it on data, compare with the engine."""
    expected = spec.output_shape(shape)
    try:
        out = B.keras_layer(spec)(np.ones((1, *shape), "float32")).shape
    except Exception as e:  # noqa: BLE001 - any failure is the bug this file is about
        pytest.fail(f"{spec} on {shape}: the engine accepts it, but {build_name(onednn())} "
                    f"Keras fails: {str(e).splitlines()[0][:300]}")
    assert tuple(out[1:]) == expected, (spec, shape)


def transposed_sample(count: int = 400, seed: int = 16) -> list[tuple[S.Conv2DTranspose, tuple]]:
    """Seeded Conv2DTranspose specs and inputs; about a third dilated."""
    rng, sample = random.Random(seed), []
    for _ in range(count):
        k, s = _pair(rng, 1, 6), _pair(rng, 1, 4)
        d = (1, 1)
        if rng.random() < 0.35:
            s, d = (1, 1), _pair(rng, 1, 3)
        op = None if rng.random() < 0.4 else (rng.randint(0, s[0] - 1), rng.randint(0, s[1] - 1))
        pad = rng.choice(["valid", "same"])
        sample.append((S.Conv2DTranspose(2, k, s, pad, op, d), (*_pair(rng, 1, 24), 2)))
    return sample


@both_builds
def test_every_transposed_conv_the_engine_accepts_runs_on_this_build() -> None:
    sample, accepted, dilated = transposed_sample(), 0, 0
    for spec, shape in sample:
        dilated += int(np.max(spec.dilation_rate)) > 1
        try:
            spec.output_shape(shape)
        except ShapeError:
            continue
        _runs_as_the_engine_says(spec, shape)
        accepted += 1
    assert len(sample) >= 300 and dilated >= 100 and accepted >= 200, (dilated, accepted)


@both_builds
@pytest.mark.parametrize("kind", ["SeparableConv2D", "DepthwiseConv2D"])
def test_separable_and_depthwise_specs_accept_only_what_runs_on_this_build(kind: str) -> None:
    rng, unequal = random.Random(5), 0
    for _ in range(80):
        k, s = _pair(rng, 1, 5), _pair(rng, 1, 3)
        d = _pair(rng, 1, 3) if rng.random() < 0.3 else (1, 1)
        if max(d) > 1:
            s = (1, 1)
        args = dict(kernel_size=k, strides=s, padding=rng.choice(["valid", "same"]),
                    dilation_rate=d)
        spec = S.SeparableConv2D(3, **args) if kind == "SeparableConv2D" else \
            S.DepthwiseConv2D(depth_multiplier=2, **args)
        shape = (*_pair(rng, 4, 24), 2)
        try:
            spec.output_shape(shape)
        except ShapeError as e:
            if s[0] != s[1]:
                unequal += 1
                assert ONEDNN_ONLY in str(e) and "strides" in str(e), str(e)
            continue
        _runs_as_the_engine_says(spec, shape)
    assert unequal >= 10


@both_builds
def test_mirror_decoder_of_dilated_encoders_runs_on_this_build() -> None:
    rng = random.Random(9)
    for _ in range(12):
        shape = (rng.randint(20, 60), rng.randint(20, 60), 1)
        enc = [S.Conv2D(4, rng.randint(2, 4), padding=rng.choice(["valid", "same"]),
                        dilation_rate=_pair(rng, 2, 3)),
               S.MaxPooling2D(2),
               S.DepthwiseConv2D(3, strides=2, padding="same")]
        dec = S.mirror_decoder(enc, shape)
        assert all(int(np.max(layer.dilation_rate)) == 1 for layer in dec
                   if isinstance(layer, S.Conv2DTranspose)), dec
        model = B.keras_model(shape, enc + dec)
        assert model(np.zeros((1, *shape), "float32")).shape[1:] == shape


@both_builds
def test_trace_model_and_diagnose_warn_about_a_layer_that_fails_without_onednn() -> None:
    inputs = keras.Input((20, 20, 1))
    x = keras.layers.Conv2D(4, 3, padding="same")(inputs)
    x = keras.layers.Conv2DTranspose(1, 3, padding="same", dilation_rate=2, name="up")(x)
    model = keras.Model(inputs, x)
    row = next(r for r in B.trace_model(model).rows if r.name == "up")
    assert row.formula.startswith("builds, but will fail") and ONEDNN_ONLY in row.formula
    assert "kernel_size=5 with dilation_rate=1" in row.formula
    assert "up (Conv2DTranspose) builds, but will fail" in str(F.diagnose(model, (20, 20)))


def test_keras_comparisons_pass_under_the_other_build(repo_root) -> None:
    """Every `both_builds` test again, in a child process with the other TensorFlow build."""
    if os.environ.get("CNNLAB_OTHER_BUILD"):
        pytest.skip("already the other build's run")
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": other_build(), "CNNLAB_OTHER_BUILD": "1",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("PYTEST_XDIST_WORKER", None)
    check = subprocess.run(
        [sys.executable, "-c", "from tensorflow.python.util import _pywrap_util_port as p; "
         "print(p.IsMklEnabled())"], env=env, capture_output=True, text=True, cwd=repo_root)
    assert check.stdout.strip() == str(not onednn()), check.stderr[-2000:]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-m", "both_builds", "-n", "0",
                          "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", "tests"],
                         env=env, capture_output=True, text=True, cwd=repo_root, timeout=900)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    print(f"{build_name(not onednn())} (TF_ENABLE_ONEDNN_OPTS={other_build()}): {summary}")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary, summary


@both_builds
def test_keras_model_builds_and_runs_the_projects_own_reflect_padding() -> None:
    specs = [S.Conv2D(2, 3), S.ReflectPadding2D(((1, 2), (1, 0))), S.Conv2D(1, 1, name="out")]
    model = B.keras_model((6, 5, 1), specs)
    x = np.arange(30, dtype="float32").reshape(1, 6, 5, 1)
    assert model(x).shape[1:] == S.trace((6, 5, 1), specs).output_shape == (7, 4, 1)
    mirrored = B.keras_layer(S.ReflectPadding2D(1))(x)[0, :, :, 0].numpy()
    assert mirrored[0].tolist() == mirrored[2].tolist()  # row -1 mirrors row 1
    assert type(model.layers[2]).__name__ == "ReflectPadding2DLayer"
    assert isinstance(B.spec_of(model.layers[2]), S.ReflectPadding2D)
