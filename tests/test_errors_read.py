"""read_error and explain_error on LIVE Keras errors: every merge layer (build time and
run time) and 16 losses (fit, evaluate, train_on_batch and a direct call); and no
function of the doctor raises over any error text these tests produce.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from helpers import fixes as F
from helpers.shapes import ShapeError

keras = pytest.importorskip("keras")
L = keras.layers
pytestmark = pytest.mark.both_builds  # tests/test_builds.py runs this file under both builds

MERGES = [("Add", {}), ("Subtract", {}), ("Multiply", {}), ("Average", {}), ("Maximum", {}),
          ("Minimum", {}), ("Concatenate", {}), ("Concatenate", {"axis": 2})]
LOSSES = ["mse", "mae", "mape", "msle", "huber", "log_cosh", "binary_crossentropy",
          "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence",
          "poisson", "cosine_similarity", "hinge", "squared_hinge", "categorical_hinge",
          "binary_focal_crossentropy", "custom"]


def _error(call) -> Exception:
    try:
        call()
    except Exception as e:  # noqa: BLE001 - Keras and TF raise several types
        return e
    raise AssertionError("expected Keras to raise")


def _skip_model(kind: str, kw: dict) -> keras.Model:
    """A model on (None, None, 2): encoder conv 'enc', pooled and upsampled ('up'), joined."""
    inputs = keras.Input((None, None, 2))
    a = L.Conv2D(2, 3, padding="same", name="enc")(inputs)
    b = L.UpSampling2D(2, name="up")(L.MaxPooling2D(2, name="down")(a))
    return keras.Model(inputs, getattr(L, kind)(name="join", **kw)([b, a]))


@functools.cache
def merge_errors() -> list[tuple[str, str, Exception, keras.Model | None]]:
    """(layer, how, live error, the model that raised it) for every merge."""
    keras.utils.set_random_seed(0)
    out = []
    x = np.zeros((1, 9, 9, 2), "float32")
    for kind, kw in MERGES:
        out.append((kind, "build", _error(lambda kind=kind, kw=kw: getattr(L, kind)(**kw)(
            [keras.Input((8, 8, 2)), keras.Input((7, 7, 2))])), None))
        model = _skip_model(kind, kw)
        model.compile("sgd", "mse")
        out.append((kind, "predict", _error(lambda m=model: m.predict(x, verbose=0)), model))
        out.append((kind, "fit", _error(lambda m=model: m.fit(x, x, verbose=0)), model))
        out.append((kind, "call", _error(lambda m=model: m(x)), model))
    return out


def _custom(y_true, y_pred):
    return keras.ops.mean(keras.ops.abs(y_true - y_pred))


@functools.cache
def loss_errors() -> list[tuple[str, str, Exception, keras.Model]]:
    """(loss, how, live error, model) on a model whose 'shrinks' conv makes 16x16 -> 14x14."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((16, 16, 3))
    model = keras.Model(inputs, L.Conv2D(3, 3, name="shrinks")(inputs))
    rng = np.random.default_rng(0)
    x = rng.random((2, 16, 16, 3)).astype("float32")
    out = []
    for name in LOSSES:
        loss = _custom if name == "custom" else name
        y = (rng.integers(0, 3, (2, 16, 16, 1)) if name.startswith("sparse")
             else rng.random((2, 16, 16, 3)).astype("float32"))
        model.compile("sgd", loss)
        out.append((name, "fit", _error(lambda y=y: model.fit(x, y, verbose=0)), model))
        out.append((name, "evaluate", _error(lambda y=y: model.evaluate(x, y, verbose=0)), model))
        out.append((name, "train_on_batch", _error(lambda y=y: model.train_on_batch(x, y)),
                    model))
        fn = _custom if name == "custom" else keras.losses.get(name)
        pred = model.predict(x, verbose=0)
        out.append((name, "direct", _error(lambda fn=fn, y=y, p=pred: fn(y, p)), model))
    return out


@pytest.mark.parametrize("index", range(len(MERGES)))
def test_read_error_reads_every_merge_layer_at_build_and_run_time(index: int) -> None:
    kind, _ = MERGES[index]
    for layer, how, exc, _model in merge_errors()[4 * index:4 * index + 4]:
        r = F.read_error(exc)
        assert r is not None, (layer, how, str(exc)[:300])
        assert r.kind == ("skip" if layer == "Concatenate" else "merge"), (layer, how)
        if how == "build":
            assert {r.target_hw, r.output_hw} == {(8, 8), (7, 7)}, (layer, r)
            assert r.layer == ("Concatenate" if layer == "Concatenate" else None)
        else:
            assert (r.target_hw, r.output_hw) == ((8, 8), (9, 9)), (layer, how, r)
            assert r.layer == layer and r.shapes == ((8, 8, 2), (9, 9, 2)), (layer, how, r)


@pytest.mark.parametrize("index", range(len(MERGES)))
def test_explain_error_finds_the_merge_the_branches_and_the_sizes_that_work(index: int) -> None:
    for layer, how, exc, model in merge_errors()[4 * index:4 * index + 4]:
        if model is None:
            continue
        d = F.explain_error(exc, model)
        assert isinstance(d, F.MergeDiagnosis), (layer, how)
        assert (d.merge, d.layer, d.input_hw) == ("join", layer, (9, 9))
        assert d.branches == ((8, 8, 2), (9, 9, 2))
        assert d.parents == ("up", "enc")
        assert d.culprits == (("up", (8, 8)), None)  # the skip keeps the encoder's size
        assert d.working_sizes == (4, 6, 8, 10, 12, 14, 16, 18)
        assert "change the branches themselves" in d.hints[-1]
        text = str(d)
        for word in ["'join'", "8x8x2", "9x9x2", "'up' made it 8x8", "Keras said"]:
            assert word in text, (layer, how, text)
        assert F.explain_error(exc, model, input_shape=(9, 9, 2)).merge == "join"
        if MERGES[index][1]:  # joined along the width: not image-to-image, no size to land on
            assert d.fixes == () and "feed 10x10" in d.hints[0]
            continue
        top = d.fixes[0]  # an edit of the learner's model, applied and landing on 9x9
        assert (top.strategy, top.params["padded_hw"]) == ("input_size", (10, 10))
        assert "ZeroPadding2D(((0, 1), (0, 1)))" in top.after
        assert top.apply(model).output_shape[1:3] == (9, 9)


def test_read_error_reads_16_losses_in_fit_evaluate_train_on_batch_and_a_direct_call() -> None:
    seen = set()
    for loss, how, exc, _model in loss_errors():
        r = F.read_error(exc)
        assert r is not None and r.kind == "loss", (loss, how, str(exc)[:300])
        if how == "direct" and r.loss is None:  # eager: the order is the op's, not the loss's
            assert {r.target_hw, r.output_hw} == {(16, 16), (14, 14)}, (loss, how, r)
        else:
            assert (r.target_hw, r.output_hw) == ((16, 16), (14, 14)), (loss, how, r)
        if how == "fit" and "crossentropy" not in loss:
            assert r.loss == loss.replace("custom", "_custom"), (loss, r.loss)
        seen.add(loss)
    assert len(seen) >= 12


def test_explain_error_with_the_model_diagnoses_every_loss_error() -> None:
    for loss, how, exc, model in loss_errors():
        d = F.explain_error(exc, model)
        assert isinstance(d, F.Diagnosis), (loss, how, d)
        assert (d.target_hw, d.output_hw) == ((16, 16), (14, 14)), (loss, how)
        assert d.departure.name == "shrinks" and d.fixes and d.error


def test_wrong_argument_types_get_a_clear_shape_error() -> None:
    exc = merge_errors()[1][2]
    with pytest.raises(ShapeError, match="exc=42"):
        F.read_error(42)
    with pytest.raises(ShapeError, match="exc=None"):
        F.explain_error(None)
    with pytest.raises(ShapeError, match="model=42"):
        F.explain_error(exc, model=42)
    with pytest.raises(ShapeError, match="input_shape=9"):
        F.explain_error(exc, merge_errors()[1][3], input_shape=9)
    assert F.read_error("something else entirely") is None
    assert F.explain_error(ValueError("nothing about sizes"), merge_errors()[1][3]) is None


def test_a_model_that_cannot_be_sized_still_gets_the_reading_and_why() -> None:
    loss_model = loss_errors()[0][3]
    unet_exc = merge_errors()[1][2]
    d = F.explain_error(unet_exc, loss_model)  # the wrong model: it has no merge
    assert d.merge is None and "No merge of this model" in d.note and d.reading.kind == "merge"
    build = merge_errors()[0][2]  # 8x8 vs 7x7: no input size of this U-Net makes those
    d = F.explain_error(build, merge_errors()[1][3])
    assert d.merge is None and "input_shape=(H, W, C)" in str(d)


def test_no_function_of_the_doctor_raises_on_any_error_text_the_tests_produce() -> None:
    models = [m for *_, m in merge_errors()[:8] if m is not None] + [loss_errors()[0][3]]
    models += [keras.Sequential([L.Dense(2)]),  # never built: no inputs, no shapes
               keras.Sequential([keras.Input((None, None, 2)), L.Conv2D(2, 3), L.Flatten()]),
               keras.Model(models[0].inputs, models[1](models[0].outputs[0][..., :2]))]
    cases = [(exc, m) for *_, exc, m in merge_errors() + loss_errors()]
    for exc, own in cases:
        for e in (exc, str(exc), F.read_error(exc).summary, repr(exc)):
            F.read_error(e)
            F.explain_error(e)
            for model in {id(m): m for m in [own, *models] if m is not None}.values():
                result = F.explain_error(e, model)
                str(result), getattr(result, "_repr_html_", str)()
        if own is not None and own.inputs[0].shape[1] is not None:
            F.diagnose(own)
        elif own is not None:  # a skip model at 9x9: its merge cannot run, a trace comes back
            assert F.diagnose(own, (9, 9, 2)).failed is not None


def test_a_residual_block_with_a_strided_main_path_gets_the_projection_shortcut() -> None:
    inputs = keras.Input((None, None, 4))
    block_in = L.Conv2D(4, 3, padding="same", name="block_in")(inputs)
    main = L.Conv2D(4, 3, strides=2, padding="same", name="strided")(block_in)
    main = L.Conv2D(4, 3, padding="same", name="conv")(main)
    model = keras.Model(inputs, L.Add(name="res")([main, block_in]))
    exc = _error(lambda: model.predict(np.zeros((1, 9, 9, 4), "float32"), verbose=0))
    d = F.explain_error(exc, model)
    assert (d.merge, d.input_hw, d.branches) == ("res", (9, 9), ((5, 5, 4), (9, 9, 4)))
    assert d.culprits == (("strided", (5, 5)), None) and d.working_sizes == ()
    assert "Conv2D(4, 1, strides=2, padding='same')" in " ".join(d.hints)
    assert d.fixes == ()  # no input size runs it: the branch itself must change
    build = _error(lambda: L.Add()([keras.Input((5, 5, 4)), keras.Input((9, 9, 4))]))
    assert F.explain_error(build, model).merge == "res"  # found by its sizes, searched


def test_an_attention_gate_from_a_coarser_level_is_found_by_its_sizes() -> None:
    inputs = keras.Input((None, None, 3))
    x = L.Conv2D(8, 3, padding="same", name="skip")(inputs)
    gate = L.Conv2D(1, 1, activation="sigmoid", name="gate")(L.MaxPooling2D(2, name="down")(x))
    model = keras.Model(inputs, L.Multiply(name="attend")([x, gate]))
    exc = _error(lambda: model(np.zeros((1, 16, 16, 3), "float32")))
    d = F.explain_error(exc, model)
    assert (d.merge, d.layer, d.input_hw) == ("attend", "Multiply", (16, 16))
    assert d.culprits == (None, ("down", (8, 8))) and d.branches[1] == (8, 8, 1)
