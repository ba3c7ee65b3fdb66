"""Models that fail to build or to run at a size: diagnose gives the trace up to the
failing layer (marked) and the edit fixes, never an exception; explain_error(e) alone,
for a merge that failed while a functional model was being built, finds the part that
built from the exception's traceback and names the merge, both branches and the fixes.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import fixes as F
from helpers.fixes.strategies import CROP_SKIPS, EDIT_LAYER, INPUT_SIZE

keras = pytest.importorskip("keras")
L = keras.layers
pytestmark = pytest.mark.both_builds  # tests/test_builds.py runs this file under both builds


def unet(size: int | None, depth: int = 3) -> keras.Model:
    """A learner's U-Net with the functional API: same convs, 2x2 pools, 2x2 stride-2 ups."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((size, size, 1))
    x, skips = inputs, []
    for d in range(depth):
        x = L.Conv2D(4, 3, padding="same", activation="relu", name=f"enc{d}")(x)
        skips.append(x)
        x = L.MaxPooling2D(2, name=f"pool{d}")(x)
    x = L.Conv2D(8, 3, padding="same", activation="relu", name="bottom")(x)
    for d in reversed(range(depth)):
        x = L.Conv2DTranspose(4, 2, strides=2, name=f"up{d}")(x)
        x = L.Concatenate(name=f"join{d}")([x, skips[d]])
        x = L.Conv2D(4, 3, padding="same", activation="relu", name=f"dec{d}")(x)
    return keras.Model(inputs, L.Conv2D(1, 1, name="head")(x), name="unet")


def residual(size: int | None) -> keras.Model:
    """A residual block whose main path is strided and whose shortcut is not."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((size, size, 4))
    block_in = L.Conv2D(4, 3, padding="same", name="block_in")(inputs)
    main = L.Conv2D(4, 3, strides=2, padding="same", name="strided")(block_in)
    main = L.Conv2D(4, 3, padding="same", name="conv")(main)
    return keras.Model(inputs, L.Add(name="res")([main, block_in]))


def build_error(builder, *args) -> Exception:
    try:
        builder(*args)
    except Exception as e:  # noqa: BLE001 - what a learner writes
        return e
    raise AssertionError("expected Keras to raise")


def test_diagnose_of_a_unet_that_does_not_run_at_89_gives_the_trace_to_the_failing_join() -> None:
    d = F.diagnose(unet(None), (89, 89, 1))
    assert d.failed is not None and d.failed is d.trace.rows[-1] and d.departure is d.failed
    assert (d.failed.name, d.failed.kind, d.output_hw) == ("join0", "Concatenate", None)
    assert d.failed.input_shape == ((88, 88, 4), (89, 89, 4)) and d.failed.output_shape == ()
    assert [r.name for r in d.trace.rows[-3:]] == ["dec1", "up0", "join0"]
    assert not d.matches and d.target_hw == (89, 89)
    text = str(d)
    assert text.startswith("The model does not build at 89x89: join0 (Concatenate) cannot "
                           "join 88x88x4 with 89x89x4.")
    assert "up0 (Conv2DTranspose) changes 44x44 -> 88x88" in text
    assert "cannot join 88x88x4 with 89x89x4" in d._repr_html_()
    assert "does not build at 89x89" in d._repr_html_()
    assert {f.side for f in d.fixes} == {"model"}  # only edits: there is no output to adapt
    assert {s.name for s in (EDIT_LAYER, CROP_SKIPS, INPUT_SIZE)} <= {f.strategy for f in d.fixes}
    assert "output_padding=1" in str(d.fixes[0]) and "layer 'up0'" in str(d.fixes[0])


def test_diagnose_of_a_model_that_runs_keeps_its_normal_diagnosis() -> None:
    d = F.diagnose(unet(None), (88, 88, 1))
    assert d.failed is None and d.output_hw == (88, 88) and d.matches
    assert str(d).startswith("output 88x88 vs target 88x88: sizes match.")


@pytest.mark.parametrize("size", [89, 75])
def test_a_unet_that_fails_to_build_is_explained_from_the_exception_alone(size: int) -> None:
    e = build_error(unet, size)
    d = F.explain_error(e)
    assert isinstance(d, F.MergeDiagnosis) and d.kind == "skip"
    assert d.summary == F.read_error(e).summary  # the same one line as without the model
    failing = {89: ("join0", (88, 88, 4), (89, 89, 4), "up0"),
               75: ("join1", (36, 36, 4), (37, 37, 4), "up1")}[size]
    assert (d.merge, *d.branches) == failing[:3] and d.layer == "Concatenate"
    assert d.input_hw == (size, size) and d.parents == (failing[3], "enc" + failing[0][-1])
    assert d.culprits == ((failing[3], failing[1][:2]), None)
    assert d.working_sizes and size not in d.working_sizes
    assert any("Cropping2D" in hint for hint in d.hints) and "never built" in d.note
    assert d.fixes == ()  # no model to apply an edit to: the hints say what to change
    assert f"The merge '{failing[0]}' (Concatenate) fails at input {size}x{size}" in str(d)


def test_a_residual_block_that_fails_to_build_gets_the_projection_shortcut() -> None:
    e = build_error(residual, 9)
    d = F.explain_error(e)
    assert (d.merge, d.layer, d.input_hw) == ("res", "Add", (9, 9))
    assert d.branches == ((5, 5, 4), (9, 9, 4)) and d.parents == ("conv", "block_in")
    assert d.culprits == (("strided", (5, 5)), None) and d.working_sizes == ()
    assert "Conv2D(4, 1, strides=2, padding='same')" in " ".join(d.hints)


def test_the_part_that_built_is_found_with_keras_traceback_filtering_off() -> None:
    keras.config.disable_traceback_filtering()
    try:
        e = build_error(residual, 9)
    finally:
        keras.config.enable_traceback_filtering()
    assert F.explain_error(e).merge == "res"


def test_a_build_failure_without_a_one_input_graph_is_read_as_before() -> None:
    e = build_error(lambda: L.Add()([keras.Input((8, 8, 2)), keras.Input((7, 7, 2))]))
    assert isinstance(F.explain_error(e), F.ErrorReading)
    assert isinstance(F.explain_error(str(e)), F.ErrorReading)


def test_no_failing_case_raises() -> None:
    models = [unet(None), unet(None, depth=1), residual(None)]
    for model in models:
        for n in (1, 2, 7, 9, 75, 89, 101):
            channels = model.inputs[0].shape[-1]
            d = F.diagnose(model, (n, n, channels))
            str(d), d._repr_html_()
            assert (d.failed is None) == (d.output_hw is not None)
            x = np.zeros((1, n, n, channels), "float32")
            try:
                model(x)
            except Exception as e:  # noqa: BLE001 - what a learner writes
                for result in (F.explain_error(e), F.explain_error(e, model)):
                    str(result), getattr(result, "_repr_html_", str)()
    for builder in (unet, residual, lambda n: unet(n, depth=1)):
        for n in (1, 2, 7, 9, 75, 89, 101):
            try:
                builder(n)
            except Exception as e:  # noqa: BLE001 - what a learner writes
                result = F.explain_error(e)
                str(result), getattr(result, "_repr_html_", str)()


def test_a_builder_function_is_diagnosed_at_the_size_where_it_does_not_build() -> None:
    def build(input_shape: tuple) -> keras.Model:  # the learner's own builder
        return residual(input_shape[0]) if input_shape[0] else residual(None)

    with pytest.raises(Exception):  # noqa: B017 - the learner's model does not build at 9x9
        build((9, 9, 4))
    d = F.diagnose(build, (9, 9, 4))
    assert isinstance(d, F.Diagnosis) and d.failed.name == "res"
    assert "cannot join 5x5x4 with 9x9x4" in str(d)


def test_a_builder_that_needs_its_size_is_explained_from_the_part_that_built() -> None:
    def build(input_shape: tuple) -> keras.Model:
        x = keras.Input(input_shape)
        down = keras.layers.Conv2D(4, 3, strides=2, padding="same", name="down")(x)
        joined = keras.layers.Add(name="res")([down, x])
        return keras.Model(x, keras.layers.Dense(1)(keras.layers.Flatten()(joined)))

    d = F.diagnose_builder(build, (9, 9, 4))
    assert isinstance(d, F.MergeDiagnosis) and d.merge == "res" and "never built" in d.note
    with pytest.raises(F.advisor.ShapeError, match="input_shape"):
        F.diagnose_builder(build, None)
