"""trace_model on the learner's own model (nothing rebuilt) and the doctor's culprit."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import bridge as B
from helpers import fixes as F
from helpers.shapes import ShapeError

keras = pytest.importorskip("keras")
L = keras.layers

pytestmark = pytest.mark.both_builds  # tests/test_builds.py runs this file under both builds


def _run(model, shape) -> tuple:
    return tuple(model(np.zeros((1, *shape), "float32")).shape[1:])


class Block(keras.layers.Layer):  # as tutorials write it: no **kwargs, no get_config
    def __init__(self, filters):
        super().__init__()
        self.conv = L.Conv2D(filters, 3, strides=2, padding="same")
        self.norm = L.BatchNormalization()

    def call(self, x):
        return keras.ops.relu(self.norm(self.conv(x)))


def _block_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, None, 3))
    x = Block(8)(inputs)
    x = L.UpSampling2D(2, name="up")(x)
    return keras.Model(inputs, L.Conv2D(1, 1, name="head")(x))


def test_a_custom_layer_without_kwargs_is_traced_as_it_is_and_no_weight_changes() -> None:
    model = _block_model()
    with pytest.raises(Exception):  # noqa: B017 - why the old clone_model path failed
        keras.models.clone_model(model, input_tensors=keras.Input((75, 75, 3)))
    before = [(id(w), w.numpy()) for w in model.weights]
    t = B.trace_model(model, input_shape=(75, 75, 3))
    assert [r.kind for r in t] == ["Block", "UpSampling2D", "Conv2D"]
    assert t.rows[0].output_shape == (38, 38, 8) and t.rows[0].formula == B.FROM_KERAS
    assert t.output_shape == _run(model, (75, 75, 3)) == (76, 76, 1)
    assert len(model.weights) == len(before)
    for (i, v), w in zip(before, model.weights):
        assert id(w) == i and np.array_equal(w.numpy(), v)
    d = F.diagnose(model, input_shape=(75, 75, 3))
    assert d.output_hw == (76, 76) and "cannot be built" not in str(d)
    assert d.departure.name == "block"  # the stride-2 Block rounds 75 -> 38


def test_sequential_multi_input_and_shared_layers() -> None:
    seq = keras.Sequential([keras.Input((20, 20, 1)), L.Conv2D(2, 3, name="c"),
                            L.MaxPooling2D(2, name="p")])
    assert [r.output_shape for r in B.trace_model(seq)] == [(18, 18, 2), (9, 9, 2)]
    assert B.trace_model(seq, (30, 30, 1)).output_shape == _run(seq, (30, 30, 1)) == (14, 14, 2)

    a, b = keras.Input((16, 16, 3), name="a"), keras.Input((16, 16, 3), name="b")
    shared = L.Conv2D(4, 3, padding="same", name="shared")
    out = L.Concatenate(name="join")([shared(a), shared(b)])
    t = B.trace_model(keras.Model([a, b], out))
    assert [r.name for r in t] == ["shared", "shared (call 2)", "join"]
    assert t.rows[-1].input_shape == ((16, 16, 4), (16, 16, 4))
    assert t.rows[-1].formula == "channels 4 + 4 = 8" and t.rows[-1].skip == "shared (call 2)"


def test_a_layer_that_cannot_run_at_this_size_stops_the_trace_and_is_named() -> None:
    inputs = keras.Input((None, None, 3))
    a = L.Conv2D(8, 3, padding="same", name="enc")(inputs)
    b = L.UpSampling2D(2, name="up")(L.MaxPooling2D(2, name="pool")(a))
    model = keras.Model(inputs, L.Concatenate(name="join")([b, a]))
    t, error = B.trace_model_until(model, (31, 31, 3))
    assert [r.name for r in t] == ["enc", "pool", "up"] and t.rows[-1].spatial_out == (30, 30)
    assert "layer 'join' (Concatenate) cannot run on 30x30x8 + 31x31x8" in str(error)
    with pytest.raises(Exception):  # noqa: B017 - Keras agrees at run time
        _run(model, (31, 31, 3))
    t, error = B.trace_model_until(model, (1, 1, 3))
    assert [r.name for r in t] == ["enc"] and "'pool' (MaxPooling2D)" in str(error)
    with pytest.raises(ShapeError, match="input_shape=\\(1, 1, 3\\): layer 'pool'"):
        B.trace_model(model, (1, 1, 3))


def test_nested_models_are_opened_layer_by_layer() -> None:
    backbone = keras.applications.ResNet50(weights=None, include_top=False,
                                           input_shape=(None, None, 3))
    inputs = keras.Input((None, None, 3))
    model = keras.Model(inputs, L.Conv2D(1, 1, name="head")(backbone(inputs)))
    t = B.trace_model(model, (75, 75, 3))
    names = [r.name for r in t]
    assert "resnet50/conv1_conv" in names and "resnet50/pool1_pool" in names
    assert names[-1] == "head" and len(names) == len(backbone.layers)  # - input + head
    assert t.output_shape == _run(model, (75, 75, 3)) == (3, 3, 1)
    pool = t.rows[names.index("resnet50/pool1_pool")]
    assert pool.formula.startswith("floor(") and pool.changed
    add = next(r for r in t if r.kind == "Add")
    assert add.formula == "merge of 2 inputs"


def _chain(shape, layers):
    inputs = keras.Input(shape)
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


def test_the_culprit_is_the_layer_that_caused_the_mismatch() -> None:
    # an encoder-decoder on 75x75 that ends at 76x76: every encoder layer differs from 75,
    # the culprit is the stride-2 conv that rounded 75 -> 38 (37.5 would have come back)
    enc_dec = _chain((75, 75, 1), [
        L.Conv2D(4, 3, strides=2, padding="same", name="down1"),
        L.Conv2D(4, 3, strides=2, padding="same", name="down2"),
        L.Conv2DTranspose(4, 3, strides=2, padding="same", name="up1"),
        L.Conv2DTranspose(1, 3, strides=2, padding="same", name="up2")])
    d = F.diagnose(enc_dec)
    assert d.output_hw == _run(enc_dec, (75, 75, 1))[:2] == (76, 76)
    assert d.departure.name == "down1"
    assert "The mismatch starts at layer 'down1' (Conv2D): 75x75 -> 38x38." in str(d)

    # a decoder Conv2DTranspose one pixel short: 64 -> 32 (exact) -> 63
    short = _chain((64, 64, 1), [L.MaxPooling2D(2, name="pool"),
                                 L.Conv2D(4, 3, padding="same", name="mid"),
                                 L.Conv2DTranspose(1, 3, strides=2, padding="same",
                                                    output_padding=0, name="short_up"),
                                 L.Conv2D(1, 3, padding="same", name="out")])
    d = F.diagnose(short)
    assert d.output_hw == _run(short, (64, 64, 1))[:2] == (63, 63)
    assert d.departure.name == "short_up"

    # a MaxPooling inside a nested encoder: 75 -> 37, the decoder's x2 gives 74
    enc_in = keras.Input((None, None, 1))
    encoder = keras.Model(enc_in, L.MaxPooling2D(2, name="pool")(
        L.Conv2D(4, 3, padding="same", name="conv")(enc_in)), name="encoder")
    nested = _chain((75, 75, 1), [encoder, L.UpSampling2D(2, name="up"),
                                  L.Conv2D(1, 3, padding="same", name="out")])
    d = F.diagnose(nested)
    assert d.output_hw == _run(nested, (75, 75, 1))[:2] == (74, 74)
    assert d.departure.name == "encoder/pool"

    # an encoder asked for its input's size: no map is on track, the first that differs
    enc = _chain((32, 32, 1), [L.Conv2D(2, 3, padding="same", name="same"),
                               L.MaxPooling2D(2, name="halve")])
    assert F.diagnose(enc).departure.name == "halve"
    assert F.diagnose(enc, target_shape=(16, 16)).departure is None


def test_models_without_a_graph_are_refused_with_a_way_out() -> None:
    with pytest.raises(ShapeError, match="keras.Input\\(\\(None, None, C\\)\\)"):
        B.trace_model(keras.Sequential([L.Conv2D(2, 3)]), (9, 9, 1))

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.conv = L.Conv2D(2, 3)

        def call(self, x):
            return self.conv(x)

    sub = Sub()
    sub(np.zeros((1, 8, 8, 1), "float32"))
    with pytest.raises(ShapeError, match="subclassed model"):
        B.trace_model(sub)
    inputs = keras.Input((None, None, 1))
    t = B.trace_model(keras.Model(inputs, sub(inputs)), (9, 9, 1))  # one row, as a layer
    assert [(r.kind, r.output_shape) for r in t] == [("Sub", (7, 7, 2))]


class Crop(keras.layers.Layer):  # an argument get_config() cannot save: get_config() raises
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def call(self, x):
        return self.fn(x)


def test_a_custom_layer_whose_config_cannot_be_made_is_one_row_with_keras_shapes() -> None:
    inputs = keras.Input((None, None, 1))
    model = keras.Model(inputs, Crop(lambda x: x[:, 1:, 1:, :])(inputs))
    with pytest.raises(NotImplementedError):
        model.layers[1].get_config()
    t = B.trace_model(model, (9, 9, 1))
    assert [(r.kind, r.output_shape, r.formula) for r in t] == [("Crop", (8, 8, 1),
                                                                  B.FROM_KERAS)]
    assert t.output_shape == _run(model, (9, 9, 1))
    assert F.diagnose(model, (9, 9, 1)).departure.name == t.rows[0].name


def test_a_pad_before_a_strided_conv_is_that_convs_padding() -> None:
    layers = [L.ZeroPadding2D(1, name="pad"), L.Conv2D(4, 3, strides=2, name="down"),
              L.UpSampling2D(2, name="up")]
    assert F.diagnose(_chain((74, 74, 1), layers)).matches  # 76 -> 37 -> 74: exact
    d = F.diagnose(_chain((75, 75, 1), layers))  # 77 -> 38 (37.5) -> 76
    assert d.output_hw == (76, 76) and d.departure.name == "down"
    same = _chain((32, 32, 1), [L.Conv2D(2, 3, padding="same", name="c"),
                                L.ZeroPadding2D(1, name="extra"),
                                L.Conv2D(1, 3, padding="same", name="d")])
    assert F.diagnose(same).departure.name == "extra"


def test_a_nested_encoder_with_two_outputs_feeds_a_skip_named_inside_it() -> None:
    enc_in = keras.Input((None, None, 1))
    skip = L.Conv2D(4, 3, padding="same", name="conv")(enc_in)
    encoder = keras.Model(enc_in, [skip, L.MaxPooling2D(2, name="pool")(skip)], name="encoder")
    inputs = keras.Input((None, None, 1))
    s, bottom = encoder(inputs)
    model = keras.Model(inputs, L.Concatenate(name="join")([L.UpSampling2D(2, name="up")(bottom),
                                                            s]))
    t = B.trace_model(model, (32, 32, 1))
    assert [r.name for r in t] == ["encoder/conv", "encoder/pool", "up", "join"]
    assert t.rows[-1].skip == "encoder/conv" and t.output_shape == _run(model, (32, 32, 1))
    t, error = B.trace_model_until(model, (33, 33, 1))
    assert "layer 'join' (Concatenate) cannot run on 32x32x4 + 33x33x4" in str(error)
