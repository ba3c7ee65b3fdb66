"""Model builders: every strategy's output is the size of its target, and it learns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import models
from helpers.fixes import compared_demos, demos
from helpers.models import (
    ModelError,
    crop_pad_net,
    crop_targets,
    demo,
    downsample_targets,
    downsampled_target_net,
    same_padding_net,
    summary_line,
    unet,
    upsampling_net,
    valid_mask,
)
from helpers.training import check_target, compile_for

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.both_builds  # tests/test_builds.py runs this file under both builds

SIZES = [(64, 64, 3), (75, 75, 3), (64, 75, 3)]

# id -> (builder, how its targets are made from full-size targets y)
BUILDERS = {
    "same_padding": (lambda s: same_padding_net(s, classes=4), None),
    "same_padding_dilated": (lambda s: same_padding_net(s, dilation=True, classes=4), None),
    "upsampling_transpose": (lambda s: upsampling_net(s, "transpose", classes=4), None),
    "upsampling_nearest": (lambda s: upsampling_net(s, "nearest", classes=4), None),
    "upsampling_bilinear": (lambda s: upsampling_net(s, "bilinear", classes=4), None),
    "upsampling_subpixel": (lambda s: upsampling_net(s, "subpixel", classes=4), None),
    "upsampling_pool_encoder": (lambda s: upsampling_net(s, encoder_method="pool", classes=4),
                                None),
    "downsampled_target": (lambda s: downsampled_target_net(s, factor=4, classes=4),
                           lambda y, m: downsample_targets(y, 4)),
    "crop": (lambda s: crop_pad_net(s, "crop", classes=4), None),
    "pad": (lambda s: crop_pad_net(s, "pad", classes=4), None),
    "unet_pad": (lambda s: unet(s, odd_sizes="pad", classes=4), None),
    "unet_crop": (lambda s: unet(s, odd_sizes="crop", classes=4),
                  lambda y, m: crop_targets(y, m.output_shape[1:3])),
    "unet_output_padding": (lambda s: unet(s, odd_sizes="output_padding", classes=4), None),
}


def _masks(shape: tuple, n: int = 4) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 4, (n, *shape[:2])).astype(np.int32)


@pytest.mark.parametrize("shape", SIZES, ids=["64x64", "75x75", "64x75"])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_builder_outputs_the_size_of_its_target(name: str, shape: tuple) -> None:
    build, targets = BUILDERS[name]
    model = build(shape)
    y = _masks(shape)
    y = targets(y, model) if targets else y
    assert model.output_shape[1:] == (*y.shape[1:3], 4)
    check_target(model, y)  # raises if train would refuse it
    if targets is None:
        assert model.output_shape[1:3] == shape[:2]


def test_image_variants_output_the_input_channels_in_0_1() -> None:
    model = upsampling_net((75, 75, 3), "bilinear")
    out = np.asarray(model(np.random.default_rng(0).random((2, 75, 75, 3), np.float32)))
    assert out.shape == (2, 75, 75, 3)
    assert 0.0 <= out.min() and out.max() <= 1.0


@pytest.mark.parametrize("name", list(BUILDERS))
def test_a_few_real_training_steps_reduce_the_loss_on_a_fixed_batch(name: str) -> None:
    build, targets = BUILDERS[name]
    model = build((75, 75, 3))
    x = np.random.default_rng(1).random((4, 75, 75, 3), dtype=np.float32)
    y = (x[..., 0] > 0.5).astype(np.int32) + 2 * (x[..., 1] > 0.5)  # 4 classes from colour
    y = targets(y, model) if targets else y
    compile_for(model, "segmentation", lr=1e-2)
    model.run_eagerly = True  # real steps; eager is faster than tracing for 6 of them
    losses = [float(model.train_on_batch(x, y)[0]) for _ in range(6)]
    assert losses[-1] < losses[0]


def test_every_model_is_small_enough_to_train_in_seconds() -> None:
    counts = {name: build((64, 64, 3)).count_params() for name, (build, _) in BUILDERS.items()}
    assert all(2_000 <= n <= 50_000 for n in counts.values()), counts


def test_summary_line_reports_the_parameter_count() -> None:
    model = unet((75, 75, 3), classes=4)
    assert summary_line(model) == f"unet_pad: 75x75x3 -> 75x75x4, {model.count_params():,} params"


def test_the_same_seed_builds_the_same_weights() -> None:
    a, b = same_padding_net((16, 16, 1), seed=3), same_padding_net((16, 16, 1), seed=3)
    c = same_padding_net((16, 16, 1), seed=4)
    assert all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_the_transposed_decoder_lands_on_odd_sizes_by_output_padding() -> None:
    assert models.size_path(upsampling_net((75, 75, 3))) == \
        "75x75 -> 38x38 -> 19x19 -> 38x38 -> 75x75"
    assert models.size_path(unet((75, 75, 3), odd_sizes="output_padding")) == \
        "75x75 -> 38x38 -> 19x19 -> 38x38 -> 75x75"


def test_the_subpixel_model_saves_and_loads_as_a_keras_file(tmp_path) -> None:
    import keras

    model = upsampling_net((64, 75, 3), "subpixel")
    x = np.random.default_rng(0).random((1, 64, 75, 3), dtype=np.float32)
    model.save(tmp_path / "subpixel.keras")
    loaded = keras.models.load_model(tmp_path / "subpixel.keras")  # safe_mode stays on
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), rtol=1e-5)


def test_the_pad_model_masks_exactly_its_invented_border() -> None:
    model = crop_pad_net((75, 75, 3), "pad")  # predicts 72x72, pads (1, 2) on each axis
    mask = valid_mask(model)
    assert mask.shape == (75, 75) and int(mask.sum()) == 72 * 72
    assert mask[0].sum() == 0 and mask[-2:].sum() == 0 and mask[1:-2, 1:-2].all()
    assert valid_mask(crop_pad_net((75, 75, 3), "crop")).all()


def test_downsampled_targets_have_the_encoders_ceil_size() -> None:
    y = np.arange(75 * 75, dtype=np.float32).reshape(1, 75, 75, 1)
    small = downsample_targets(y, 4)
    assert small.shape == (1, 19, 19, 1)
    assert small[0, 0, 0, 0] == y[0, :4, :4].mean()
    masks = downsample_targets(np.ones((2, 75, 64), np.int32), 4)
    assert masks.shape == (2, 19, 16) and masks.dtype == np.int32


def test_crop_targets_keeps_the_top_left_part_the_crop_unet_predicts() -> None:
    y = np.arange(2 * 75 * 75).reshape(2, 75, 75)
    assert np.array_equal(crop_targets(y, (72, 72)), y[:, :72, :72])
    with pytest.raises(ModelError, match="larger"):
        crop_targets(y, (80, 80))


@pytest.mark.parametrize("call, words", [
    (lambda: upsampling_net((64, 64, 3), method="magic"), "method='magic'"),
    (lambda: downsampled_target_net((64, 64, 3), factor=3), "factor=3"),
    (lambda: unet((64, 64, 3), odd_sizes="stretch"), "odd_sizes='stretch'"),
    (lambda: same_padding_net((64, 64, 3), classes=1), "classes=1"),
    (lambda: same_padding_net((64, 64)), None),
])
def test_bad_arguments_raise_a_model_error_naming_them(call, words) -> None:
    if words is None:  # (H, W) alone is accepted as one channel
        assert call().input_shape == (None, 64, 64, 1)
        return
    with pytest.raises(ModelError, match=words.replace("(", r"\(")):
        call()


def test_importing_helpers_models_and_training_does_not_import_keras() -> None:
    code = ("import sys, helpers, helpers.models, helpers.training, helpers.runtime; "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("label", list(demos()))
def test_every_demo_of_the_registry_builds_with_an_output_its_targets_match(label: str) -> None:
    way, d = demos()[label]
    run = demo(label, (32, 32, 3), classes=2)
    y = np.zeros((2, 32, 32), np.int32)
    assert run.model.output_shape[1:3] == run.targets(y).shape[1:3] == (32 // d.target_factor,) * 2
    assert (run.loss is not None) == d.masked_loss
    assert (ROOT / "notebooks" / f"{way.lesson}.ipynb").exists(), way.lesson


def test_notebook_06_compares_one_demo_per_lesson() -> None:
    lessons = [demos()[label][0].lesson for label in compared_demos()]
    assert lessons == sorted(set(lessons)) and len(lessons) == 5
    with pytest.raises(ModelError, match="not a demo"):
        demo("upsampling", (32, 32, 3))
