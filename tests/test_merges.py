"""Every merge spec (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate on
any axis) against Keras 3 on real arrays: sizes, and a spec refusal == a Keras failure,
at build time (fixed sizes) and at run time (a model on (None, None, C) fed real arrays).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from helpers import bridge as B
from helpers import shapes as S
from helpers.shapes import ShapeError

keras = pytest.importorskip("keras")
L = keras.layers
pytestmark = pytest.mark.both_builds  # tests/test_builds.py runs this file under both builds

ELEMENTWISE = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]


def _pairs(seed: int, count: int) -> list[tuple[tuple, tuple]]:
    """Seeded pairs of (H, W, C): equal, broadcastable (1 on an axis) and mismatched."""
    rng, out = random.Random(seed), []
    for _ in range(count):
        a = (rng.randint(1, 6), rng.randint(1, 6), rng.randint(1, 4))
        b = tuple(rng.choice([v, v, 1, rng.randint(1, 6)]) for v in a)
        out.append((a, b) if rng.random() < 0.5 else (b, a))
    return out


def _spec(kind: str, **kw) -> S.Merge:
    return getattr(S, kind)(skip="b", **kw)


def _spec_join(spec: S.Merge, a: tuple, b: tuple) -> tuple | None:
    try:
        return spec.join(a, b)
    except ShapeError:
        return None


def _keras_build(kind: str, a: tuple, b: tuple, **kw) -> tuple | None:
    try:
        out = getattr(L, kind)(**kw)([keras.Input(a), keras.Input(b)])
    except ValueError:
        return None
    return tuple(out.shape[1:])


def _keras_run(kind: str, a: tuple, b: tuple, **kw) -> tuple | None:
    """Run the merge on real arrays, in a model built on (None, None, C) inputs."""
    x, y = keras.Input((None, None, a[2])), keras.Input((None, None, b[2]))
    try:
        model = keras.Model([x, y], getattr(L, kind)(**kw)([x, y]))
    except ValueError:  # channels differ: refused at build time even without H and W
        return None
    rng = np.random.default_rng(0)
    arrays = [rng.random((2, *s)).astype("float32") for s in (a, b)]
    try:
        out = model.predict(arrays, verbose=0)
    except Exception:  # noqa: BLE001 - TF raises ValueError or InvalidArgumentError
        return None
    return out.shape[1:]


@pytest.mark.parametrize("kind", ELEMENTWISE)
def test_elementwise_specs_agree_with_keras_at_build_and_run_time(kind: str) -> None:
    keras.utils.set_random_seed(0)
    refused = accepted = 0
    for a, b in _pairs(ELEMENTWISE.index(kind), 24):
        spec = _spec_join(_spec(kind), a, b)
        assert spec == _keras_build(kind, a, b), (kind, a, b)
        assert spec == _keras_run(kind, a, b), (kind, a, b)
        refused, accepted = refused + (spec is None), accepted + (spec is not None)
    assert refused and accepted  # both verdicts were compared


@pytest.mark.parametrize("axis", [-1, 1, 2, 3, -2, -3])
def test_concatenate_on_every_axis_agrees_with_keras(axis: int) -> None:
    for a, b in _pairs(axis + 10, 30):
        spec = _spec_join(_spec("Concatenate", axis=axis), a, b)
        assert spec == _keras_build("Concatenate", a, b, axis=axis), (axis, a, b)
        assert spec == _keras_run("Concatenate", a, b, axis=axis), (axis, a, b)


def test_merge_errors_name_both_sizes_and_a_fix() -> None:
    with pytest.raises(ShapeError) as info:
        S.Add(skip="block_in", name="res").join((8, 8, 4), (9, 9, 4))
    text = str(info.value)
    for word in ["Add 'res'", "'block_in' of size 9x9x4", "map of size 8x8x4",
                 "Cropping2D(((0, 1), (0, 1)))", "input size"]:
        assert word in text
    with pytest.raises(ShapeError, match=r"1x1 Conv2D\(8\)"):
        S.Add(skip="x").join((8, 8, 8), (8, 8, 4))
    with pytest.raises(ShapeError, match="height and channels must be equal"):
        S.Concatenate(skip="x", axis=2).join((8, 8, 4), (7, 8, 4))
    with pytest.raises(ShapeError, match="axis=0"):
        S.Concatenate(skip="x", axis=0).join((8, 8, 4), (8, 8, 4))
    with pytest.raises(ShapeError, match="needs two inputs"):
        S.Multiply(skip="g").output_shape((8, 8, 4))
    with pytest.raises(ShapeError, match=r"Add\(skip='nope'\) names no earlier layer"):
        S.trace((8, 8, 1), [S.Conv2D(2, 1), S.Add(skip="nope")])


def _residual_and_attention() -> list[S.Layer]:
    return [S.Conv2D(8, 3, padding="same", name="stem"),
            S.Conv2D(8, 3, padding="same"), S.Add(skip="stem", name="res"),
            S.Conv2D(1, 1, name="gate"), S.Conv2D(8, 1, name="values", activation=None),
            S.Multiply(skip="gate", name="attend"),
            S.Subtract(skip="stem"), S.Average(skip="res"), S.Maximum(skip="values"),
            S.Minimum(skip="stem"), S.Concatenate(skip="stem", name="cat"),
            S.Concatenate(skip="cat", axis=2, name="side")]


def test_keras_model_builds_every_merge_and_spec_of_reads_it_back() -> None:
    specs = _residual_and_attention()
    t = S.trace((12, 12, 3), specs)
    model = B.keras_model((12, 12, 3), specs)
    assert tuple(model.output_shape[1:]) == t.output_shape == (12, 24, 16)
    for spec, name in zip(specs, S.layer_names(specs)):
        layer = model.get_layer(name)
        assert tuple(layer.output.shape[1:]) == t[S.layer_names(specs).index(name)].output_shape
        if isinstance(spec, S.Merge):
            assert B.spec_of(layer) == type(spec)(**{**spec.__dict__, "name": name})
    row = t[S.layer_names(specs).index("side")]
    assert row.changed and row.skip == "cat" and row.formula == "width 12 + 12 = 24"
    y = model.predict(np.zeros((1, 12, 12, 3), "float32"), verbose=0)
    assert y.shape == (1, 12, 24, 16)


def test_trace_refuses_a_residual_block_whose_branch_shrinks_like_keras() -> None:
    specs = [S.Conv2D(4, 3, padding="same", name="in"), S.Conv2D(4, 3), S.Add(skip="in")]
    rows, error = S.trace_until((10, 10, 1), specs)
    assert len(rows) == 2 and "10x10x4" in str(error) and "8x8x4" in str(error)
    with pytest.raises(ValueError, match="incompatible shapes"):
        inputs = keras.Input((10, 10, 1))
        a = L.Conv2D(4, 3, padding="same")(inputs)
        L.Add()([L.Conv2D(4, 3)(a), a])
