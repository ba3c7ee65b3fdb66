"""Property tests of the pure arithmetic: no TensorFlow, no Keras (`make test-fast`).

`make test-fast` runs this file, tests/test_architecture.py and the doctests of the
pure part with TensorFlow and Keras made unimportable (tests/conftest.py), in seconds.
`make test` runs them too, and checks the fast tier itself in a child process.
"""

from __future__ import annotations

import os
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import shapes as S

sizes = st.integers(1, 200)
kernels = st.integers(1, 9)
strides = st.integers(1, 5)
paddings = st.sampled_from(["valid", "same"])


@settings(max_examples=400, deadline=None)
@given(sizes, kernels, strides, paddings)
def test_every_output_padding_the_engine_offers_is_undone_by_the_forward_conv(n, k, s, padding):
    for op, size in S.deconv_paddings(n, k, s, padding).items():
        assert S.deconv_out(n, k, s, padding, op) == size
        assert S.conv_out(size, k, s, padding) == n, (n, k, s, padding, op, size)


@settings(max_examples=300, deadline=None)
@given(sizes, kernels, strides, paddings)
def test_output_padding_none_is_always_offered(n, k, s, padding):
    assert None in S.deconv_paddings(n, k, s, padding)


@settings(max_examples=300, deadline=None)
@given(sizes, kernels, strides, st.integers(1, 3))
def test_same_padding_pads_exactly_what_the_last_window_needs(n, k, s, d):
    if s > 1 and d > 1:
        return
    before, after = S.same_padding(n, k, s, d)
    out = S.conv_out(n, k, s, "same", d)
    assert out == -(-n // s) and 0 <= after - before <= 1
    assert S.conv_out(n + before + after, k, s, "valid", d) == out


@settings(max_examples=300, deadline=None)
@given(sizes, kernels, strides)
def test_pooling_follows_the_undilated_conv_rule(n, k, s):
    for padding in ("valid", "same"):
        try:
            conv = S.conv_out(n, k, s, padding)
        except S.ShapeError:
            continue
        assert S.pool_out(n, k, s, padding) == conv


@settings(max_examples=200, deadline=None)
@given(st.integers(8, 120), st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), paddings),
                                     min_size=1, max_size=4))
def test_trace_chains_each_spec_output_shape(n, convs):
    layers = [S.Conv2D(4, k, s, p) for k, s, p in convs]
    try:
        t = S.trace((n, n, 1), layers)
    except S.ShapeError:
        return
    shape = (n, n, 1)
    for layer, row in zip(layers, t.rows):
        assert row.input_shape == shape
        shape = layer.output_shape(shape)
        assert row.output_shape == shape


def test_the_fast_tier_never_loads_tensorflow_or_keras() -> None:
    """In `make test-fast` (CNNLAB_TEST_FAST=1): nothing has loaded them. Elsewhere: run the
    fast tier in a child process, as `make test-fast` does, and require it to pass."""
    if os.environ.get("CNNLAB_TEST_FAST"):
        assert not {"tensorflow", "keras"} & set(sys.modules), sorted(
            m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))[:5]
        return
    env = {**os.environ, "CNNLAB_TEST_FAST": "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p",
                          "no:cacheprovider"], env=env, capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(__file__)), timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    last = run.stdout.strip().splitlines()[-1]
    assert " passed" in last and "deselected" in last and "failed" not in last, last


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40), kernels, strides, paddings, st.integers(1, 3))
def test_conv_windows_cover_what_the_size_rule_says(n, k, s, padding, d):
    try:
        w = S.conv_windows(n, k, s, padding, d)
    except S.ShapeError:
        return
    assert w.size == n + sum(w.pad) and w.out == S.conv_out(n, k, s, padding, d)
    if padding == "valid":
        assert w.dropped == S.dropped_pixels(n, k, s, d)
    read = {column for r in range(w.out) for _, column in w.taps(r, r)}  # every window start
    inside = {i for i, state in enumerate(w.states) if state != "padding"}
    assert read & inside == {i for i, state in enumerate(w.states) if state == "input"}
    assert max(read) < w.size


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 12), kernels, strides)
def test_every_input_pixel_paints_k_by_k_output_pixels_and_even_means_uniform_inside(n, k, s):
    o = S.overlap(n, k, s)
    assert sum(map(sum, o.canvas)) == n * n * k * k and o.canvas == o.counts  # "valid" crops none
    inner = o.axis[k - 1:len(o.axis) - k + 1] if n > 2 * -(-k // s) else ()
    if inner:
        assert (len(set(inner)) == 1) == o.even, (n, k, s, o.axis)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4), st.integers(1, 130), st.sampled_from(list(S.CURES)))
def test_the_unet_plan_is_the_trace_of_the_unet_specs(depth, size, cure):
    plan = S.unet_plan(depth, size, cure)  # never raises, even for a size too small
    step = 2 ** depth
    if cure in ("pad", "output_padding"):
        assert plan.works and plan.output == size
    elif cure == "crop":
        assert plan.builds == (size >= step) and plan.output == (size // step * step or None)
    else:
        assert plan.works == (size % step == 0) and plan.builds == plan.works
    if plan.builds:
        specs = S.unet_specs(depth, cure=cure, input_hw=(size, size))
        assert S.trace((size, size, 3), specs).output_shape == (plan.output, plan.output, 8)
    else:
        assert plan.error and (plan.joins.count("fail") == 1 or "too small" in plan.error)


def test_unet_specs_refuse_bad_arguments_naming_them_and_a_fix():
    for kwargs, words in [({"cure": "stretch"}, "cure='stretch'"),
                          ({"cure": "pad"}, "input_hw=(H, W)"),
                          ({"cure": "output_padding", "input_hw": (0, 5)}, "input_hw=(0, 5)"),
                          ({"filters": 0}, "filters=0")]:
        try:
            S.unet_specs(2, **kwargs)
        except S.ShapeError as e:
            assert words in str(e) and ("e.g." in str(e) or "use one of" in str(e)), str(e)
        else:
            raise AssertionError(f"unet_specs(2, **{kwargs}) was accepted")


def test_a_cropping_join_crops_the_skip_at_the_bottom_right_and_says_so():
    specs = S.unet_specs(1, cure="crop")
    row = S.trace((75, 75, 3), specs)[4]
    assert row.name == "join0" and row.input_shape == ((74, 74, 8), (75, 75, 8))
    assert row.output_shape == (74, 74, 16) and row.formula.startswith("skip 75x75 cropped to")
    rows, error = S.trace_until((75, 75, 3), S.unet_specs(1))
    assert len(rows) == 4 and "'join0'" in str(error) and "37" not in str(error)
