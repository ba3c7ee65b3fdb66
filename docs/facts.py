"""Reproduce each fact of docs/keras-facts.md on this machine's TensorFlow and Keras.

    .venv/bin/python docs/facts.py                     # every fact, this machine's build
    .venv/bin/python docs/facts.py trap empty-pool     # some of them
    TF_ENABLE_ONEDNN_OPTS=0 .venv/bin/python docs/facts.py dilated-transpose   # the other build

Each fact prints what Keras did: an output shape, or the error's type and first line.
`empty-pool` may kill the process (that is the fact), so each of its cases runs in a child.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from probe_builds import _first_line  # noqa: E402  (the same error reading as the probe)

FACTS = {}


def fact(name: str):
    def register(fn):
        FACTS[name] = fn
        return fn
    return register


def show(label: str, call) -> None:
    """Print `label: <shape>` or `label: <error>`."""
    try:
        result = call()
        shape = getattr(result, "shape", result)
        print(f"  {label}: {tuple(shape) if shape is not None else result}")
    except Exception as e:  # noqa: BLE001 - the error is the fact
        print(f"  {label}: {_first_line(e)}")


def ones(*shape):
    import numpy as np

    return np.ones(shape, "float32")


@fact("build")
def build() -> None:
    """Which CPU build this process runs."""
    import keras
    import tensorflow as tf
    from tensorflow.python.util import _pywrap_util_port

    print(f"  tensorflow {tf.__version__}, keras {keras.__version__}, "
          f"TF_ENABLE_ONEDNN_OPTS={os.environ.get('TF_ENABLE_ONEDNN_OPTS')!r}, "
          f"oneDNN {bool(_pywrap_util_port.IsMklEnabled())}")


@fact("sizes")
def sizes() -> None:
    """The size rules on examples (tests/test_shapes.py checks hundreds on real arrays)."""
    import keras

    L = keras.layers
    show("Conv2D(3, strides=2, 'valid') on 28",
         lambda: L.Conv2D(1, 3, strides=2)(ones(1, 28, 28, 1)))
    show("Conv2D(3, strides=2, 'same') on 28",
         lambda: L.Conv2D(1, 3, strides=2, padding="same")(ones(1, 28, 28, 1)))
    show("MaxPooling2D(2) on 75", lambda: L.MaxPooling2D(2)(ones(1, 75, 75, 1)))
    show("MaxPooling2D(2, padding='same') on 75",
         lambda: L.MaxPooling2D(2, padding="same")(ones(1, 75, 75, 1)))
    show("Conv2DTranspose(3, strides=2, 'same') on 38",
         lambda: L.Conv2DTranspose(1, 3, strides=2, padding="same")(ones(1, 38, 38, 1)))
    show("... with output_padding=0",
         lambda: L.Conv2DTranspose(1, 3, strides=2, padding="same",
                                   output_padding=0)(ones(1, 38, 38, 1)))
    show("Conv2DTranspose(3, strides=2, 'valid') on 37",
         lambda: L.Conv2DTranspose(1, 3, strides=2)(ones(1, 37, 37, 1)))


@fact("refusals")
def refusals() -> None:
    """What the constructors and compute_output_shape refuse, in Keras's words."""
    import keras

    L = keras.layers
    show("Conv2D(5) on 3x3", lambda: L.Conv2D(1, 5).compute_output_shape((1, 3, 3, 1)))
    show("Conv2D(strides=0)", lambda: L.Conv2D(1, 3, strides=0))
    show("Conv2D(strides=2, dilation_rate=2)", lambda: L.Conv2D(1, 3, strides=2, dilation_rate=2))
    show("Conv2DTranspose(strides=8, output_padding=8)",
         lambda: L.Conv2DTranspose(1, 3, strides=8, output_padding=8))


@fact("trap")
def trap() -> None:
    """A transposed conv that Keras accepts on paper and TensorFlow cannot run."""
    import keras

    layer = keras.layers.Conv2DTranspose(1, 4, strides=2, padding="same", output_padding=0)
    show("compute_output_shape on 16x16", lambda: layer.compute_output_shape((1, 16, 16, 1)))
    show("called on a 16x16 array", lambda: layer(ones(1, 16, 16, 1)))


@fact("dilated-transpose")
def dilated_transpose() -> None:
    """A dilated Conv2DTranspose runs with oneDNN only."""
    import keras

    show("Conv2DTranspose(3, dilation_rate=(2, 3)) on 19x15",
         lambda: keras.layers.Conv2DTranspose(1, 3, dilation_rate=(2, 3))(ones(1, 19, 15, 1)))
    show("Conv2DTranspose(5, dilation_rate=1) on 19x15 (the same span in height)",
         lambda: keras.layers.Conv2DTranspose(1, (5, 7))(ones(1, 19, 15, 1)))


@fact("unequal-strides")
def unequal_strides() -> None:
    """SeparableConv2D and DepthwiseConv2D with different strides per axis: oneDNN only."""
    import keras

    L = keras.layers
    show("DepthwiseConv2D(3, strides=(1, 2), 'same') on 18x18",
         lambda: L.DepthwiseConv2D(3, strides=(1, 2), padding="same")(ones(1, 18, 18, 2)))
    show("SeparableConv2D(3, strides=(2, 1), 'same') on 18x18",
         lambda: L.SeparableConv2D(1, 3, strides=(2, 1), padding="same")(ones(1, 18, 18, 2)))
    show("DepthwiseConv2D(3, strides=2, 'same') on 18x18",
         lambda: L.DepthwiseConv2D(3, strides=2, padding="same")(ones(1, 18, 18, 2)))
    show("DepthwiseConv2D(3, dilation_rate=2) on 18x18",
         lambda: L.DepthwiseConv2D(3, dilation_rate=2)(ones(1, 18, 18, 2)))
    show("Conv2D(3, strides=(1, 2), 'same') on 18x18",
         lambda: L.Conv2D(1, 3, strides=(1, 2), padding="same")(ones(1, 18, 18, 2)))


@fact("seed-article")
def seed_article() -> None:
    """The seed article's three examples on today's TensorFlow."""
    import keras
    import tensorflow as tf

    y = ones(2, 64, 64, 3)
    show("Example 1: tf.keras.losses.mean_squared_error",
         lambda: tf.keras.losses.mean_squared_error(y, y))
    show("          keras.losses.mean_squared_error", lambda: keras.losses.mean_squared_error(y, y))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        keras.Sequential([keras.layers.Conv2D(8, 3, padding="same", input_shape=(32, 32, 3))])
    warned = caught[0].category.__name__ if caught else None
    print(f"  Example 2: input_shape= on a layer warns: {warned}")
    x = keras.Input((256, 256, 3))
    show("Example 3: tf.image.crop_to_bounding_box on a keras.Input",
         lambda: tf.image.crop_to_bounding_box(x, 64, 64, 128, 128))
    show("          keras.layers.Cropping2D(64) on it", lambda: keras.layers.Cropping2D(64)(x))


@fact("mismatch-errors")
def mismatch_errors() -> None:
    """The words a learner meets when output and target sizes differ."""
    import keras

    def fit(loss, out_hw, target_hw, channels=1):
        inputs = keras.Input((out_hw, out_hw, 1))
        model = keras.Model(inputs, keras.layers.Conv2D(channels, 1)(inputs))
        model.compile("adam", loss)
        y = ones(2, target_hw, target_hw, 1 if loss != "categorical_crossentropy" else channels)
        return model.fit(ones(2, out_hw, out_hw, 1), y, epochs=1, verbose=0)

    show("fit, mse, output 15x15, target 32x32", lambda: fit("mse", 15, 32))
    show("fit, binary_crossentropy, 26 vs 28", lambda: fit("binary_crossentropy", 26, 28))
    show("fit, sparse_categorical_crossentropy, 26 vs 28",
         lambda: fit("sparse_categorical_crossentropy", 26, 28, channels=3))
    show("eager keras.losses.mean_squared_error, 32 vs 16",
         lambda: keras.losses.mean_squared_error(ones(2, 32, 32, 1), ones(2, 16, 16, 1)))
    a, b = keras.Input((88, 88, 8)), keras.Input((89, 89, 8))
    show("Concatenate of 88 and 89", lambda: keras.layers.Concatenate()([a, b]))
    c, d = keras.Input((11, 11, 8)), keras.Input((10, 10, 8))
    show("Add of 11 and 10", lambda: keras.layers.Add()([c, d]))


@fact("labels")
def labels() -> None:
    """Which label shapes sparse and categorical cross-entropy take against (B, H, W, 4)."""
    import keras
    import numpy as np

    logits = ones(2, 8, 8, 4)
    ids = np.random.default_rng(0).integers(0, 4, (2, 8, 8))
    for name, y in (("ids (B, H, W)", ids), ("ids (B, H, W, 1)", ids[..., None]),
                    ("one-hot (B, H, W, 4)", np.eye(4, dtype="float32")[ids])):
        show(f"sparse, {name}", lambda y=y: keras.losses.sparse_categorical_crossentropy(
            y, logits, from_logits=True).shape)
        show(f"categorical, {name}", lambda y=y: keras.losses.categorical_crossentropy(
            y, logits, from_logits=True).shape)


@fact("run-time-concat")
def run_time_concat() -> None:
    """A U-Net on keras.Input((None, None, 3)) builds, then fails on an odd tile at run time."""
    import keras

    inputs = keras.Input((None, None, 3))
    kept = keras.layers.Conv2D(4, 3, padding="same")(inputs)
    up = keras.layers.UpSampling2D(2)(keras.layers.MaxPooling2D(2)(kept))
    model = keras.Model(inputs, keras.layers.Concatenate()([up, kept]))
    show("32x32 tile", lambda: model(ones(1, 32, 32, 3)).shape)
    show("33x33 tile", lambda: model(ones(1, 33, 33, 3)).shape)


@fact("broadcast")
def broadcast() -> None:
    """A (B, 1, 1, 1) output trains against (B, 28, 28, 1) targets without any error."""
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.GlobalAveragePooling2D(keepdims=True)(keras.layers.Conv2D(1, 3)(inputs))
    model = keras.Model(inputs, x)
    model.compile("adam", "mse")
    show("output shape", lambda: model.output_shape)
    history = model.fit(ones(8, 28, 28, 1), ones(8, 28, 28, 1) * 0.5, epochs=2, verbose=0)
    print(f"  fit: no error, loss per epoch {[round(v, 4) for v in history.history['loss']]}")


@fact("symbolic-loss")
def symbolic_loss() -> None:
    """Loss functions run on symbolic keras.Inputs; the loss classes do not."""
    import keras

    a, b = keras.Input((8, 8, 1)), keras.Input((8, 8, 1))
    show("keras.losses.mean_squared_error(Input, Input)",
         lambda: keras.losses.mean_squared_error(a, b))
    show("keras.losses.MeanSquaredError()(Input, Input)",
         lambda: keras.losses.MeanSquaredError()(a, b))


@fact("crop-layers")
def crop_layers() -> None:
    """CenterCrop crops a larger image, but resizes a smaller one (no error)."""
    import keras

    for n in (256, 100):
        show(f"CenterCrop(128, 128) on {n}x{n}",
             lambda n=n: keras.layers.CenterCrop(128, 128)(ones(1, n, n, 1)))
    show("Cropping2D(((1, 2), (1, 2))) on 75x75",
         lambda: keras.layers.Cropping2D(((1, 2), (1, 2)))(ones(1, 75, 75, 1)))


@fact("clone-custom-layer")
def clone_custom_layer() -> None:
    """clone_model cannot rebuild a custom layer whose __init__ takes no **kwargs."""
    import keras

    class Double(keras.layers.Layer):
        def __init__(self):  # as most tutorials write it
            super().__init__()

        def call(self, x):
            return x * 2

    inputs = keras.Input((8, 8, 1))
    model = keras.Model(inputs, Double()(inputs))
    show("clone_model(model)", lambda: keras.models.clone_model(model).output_shape)
    show("clone_model(model, clone_function=lambda layer: layer)",
         lambda: keras.models.clone_model(model, clone_function=lambda layer: layer).output_shape)


EMPTY_POOLS = ((5, 3, 2), (3, 2, 2), (3, None, 2))


def _empty_pool_child(i: int) -> None:
    import keras

    if i == len(EMPTY_POOLS):
        return show("AveragePooling2D(5, strides=3) called on a 2x2 array",
                    lambda: keras.layers.AveragePooling2D(5, strides=3)(ones(1, 2, 2, 1)))
    pool, strides, n = EMPTY_POOLS[i]
    layer = keras.layers.MaxPooling2D(pool, strides=strides)
    show(f"MaxPooling2D({pool}, strides={strides}) compute_output_shape on {n}x{n}",
         lambda: layer.compute_output_shape((1, n, n, 1)))
    sys.stdout.flush()
    show(f"MaxPooling2D({pool}, strides={strides}) called on a {n}x{n} array",
         lambda: layer(ones(1, n, n, 1)))


@fact("empty-pool")
def empty_pool() -> None:
    """An empty max-pool output: a crash or an error with oneDNN, an empty tensor without.

    Each case runs in a child process, which may die."""
    import signal

    for i in range(len(EMPTY_POOLS) + 1):
        proc = subprocess.run([sys.executable, __file__, "--empty-pool-child", str(i)],
                              capture_output=True, text=True)
        print(proc.stdout, end="")
        if proc.returncode < 0:
            print(f"  ... the process died: signal {signal.Signals(-proc.returncode).name}")


def main(names: list[str]) -> None:
    if names[:1] == ["--empty-pool-child"]:
        return _empty_pool_child(int(names[1]))
    unknown = [n for n in names if n not in FACTS]
    if unknown:
        sys.exit(f"unknown fact {unknown}; choose from {', '.join(FACTS)}")
    for name in names or list(FACTS):
        print(f"{name}: {FACTS[name].__doc__.splitlines()[0]}")
        FACTS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
