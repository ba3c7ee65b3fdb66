"""The shipped datasets: reproducible, checked on load, and shaped as promised."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from helpers.data import (
    CLASS_NAMES,
    FAST_SAMPLES,
    PHOTO_SIZES,
    SHAPE_SIZES,
    SPLITS,
    DataError,
    add_noise,
    downsample,
    filename,
    load_photos,
    load_shapes,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
REBUILD = "python data/generate.py"


@pytest.fixture(autouse=True)
def _full_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test reads the committed data/ at full size unless it says otherwise."""
    monkeypatch.delenv("CNNLAB_FAST", raising=False)
    monkeypatch.delenv("CNNLAB_DATA_DIR", raising=False)


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/ rebuilt from scratch by the generator's command line, in a temporary folder."""
    out = tmp_path_factory.mktemp("rebuilt")
    subprocess.run([sys.executable, str(DATA / "generate.py"), "--out", str(out)],
                   check=True, capture_output=True, text=True, timeout=120)
    return out


def _generator():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("generate", DATA / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _data_files() -> list[str]:
    return [filename(kind, size, split) for kind, sizes in (("shapes", SHAPE_SIZES),
            ("photos", PHOTO_SIZES)) for size in sizes for split in SPLITS]


def _copy(tmp_path: Path, names: list[str]) -> Path:
    for name in [*names, "SHA256SUMS"]:
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


# ------------------------------------------------------- reproducibility ----

def test_sha256sums_lists_every_data_file_and_every_file_matches() -> None:
    lines = (DATA / "SHA256SUMS").read_text().splitlines()
    recorded = {name: digest for digest, name in (line.split() for line in lines)}
    assert sorted(recorded) == sorted(_data_files())
    for name, digest in recorded.items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.slow
def test_rebuilt_data_holds_exactly_the_committed_arrays(rebuilt: Path) -> None:
    for name in _data_files():
        with np.load(DATA / name) as old, np.load(rebuilt / name) as new:
            assert old.files == new.files, name
            for key in old.files:
                assert old[key].dtype == new[key].dtype and np.array_equal(old[key], new[key])


@pytest.mark.slow
@pytest.mark.skipif("ng" in zlib.ZLIB_RUNTIME_VERSION,
                    reason="zlib-ng compresses the same arrays into different bytes")
def test_rebuilding_the_data_reproduces_the_committed_checksums(rebuilt: Path) -> None:
    assert (rebuilt / "SHA256SUMS").read_text() == (DATA / "SHA256SUMS").read_text()


def test_the_npz_writer_gives_the_same_bytes_every_time_and_numpy_reads_them(
        tmp_path: Path) -> None:
    gen = _generator()
    arrays_in = {"images": np.arange(24, dtype=np.uint8).reshape(2, 2, 2, 3)}
    first, second = gen.npz_bytes(arrays_in), gen.npz_bytes(arrays_in)
    assert first == second
    (tmp_path / "probe.npz").write_bytes(first)
    with np.load(tmp_path / "probe.npz") as npz:
        assert np.array_equal(npz["images"], arrays_in["images"])


def test_generator_restores_a_damaged_file_but_refuses_to_replace_a_recorded_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gen = _generator()
    name = filename("shapes", 32, "test")
    good = (DATA / name).read_bytes()
    _copy(tmp_path, [name])
    (tmp_path / name).write_bytes(good[:1000])  # damaged: restored without --force
    assert gen.write(tmp_path, {name: good}, force=False) == 0
    assert (tmp_path / name).read_bytes() == good

    different = good[:-1] + bytes([good[-1] ^ 1])  # a changed recipe: refused...
    assert gen.write(tmp_path, {name: different}, force=False) == 1
    assert (tmp_path / name).read_bytes() == good
    assert "--force" in capsys.readouterr().out
    assert gen.write(tmp_path, {name: different}, force=True) == 0  # ...unless forced
    assert (tmp_path / name).read_bytes() == different
    assert hashlib.sha256(different).hexdigest() in (tmp_path / "SHA256SUMS").read_text()


# ------------------------------------------------------ damaged files -------

@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "missing"])
def test_loading_a_damaged_file_raises_data_error_with_the_rebuild_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    name = filename("shapes", 64, "test")
    path = _copy(tmp_path, [name]) / name
    content = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(content[: len(content) // 2])
    elif damage == "flipped byte":
        path.write_bytes(content[:5000] + bytes([content[5000] ^ 0xFF]) + content[5001:])
    else:
        path.unlink()
    monkeypatch.setenv("CNNLAB_DATA_DIR", str(tmp_path))
    with pytest.raises(DataError) as err:
        load_shapes("test", 64)
    message = str(err.value)
    assert name in message and REBUILD in message
    assert ("missing" if damage == "missing" else "checksum mismatch") in message


def test_a_file_that_matches_its_checksum_but_is_not_an_npz_is_reported_unreadable(
        tmp_path: Path) -> None:
    name = filename("photos", 75, "train")
    junk = b"not a zip file"
    (tmp_path / name).write_bytes(junk)
    (tmp_path / "SHA256SUMS").write_text(f"{hashlib.sha256(junk).hexdigest()}  {name}\n")
    with pytest.raises(DataError, match="unreadable") as err:
        load_photos("train", 75, folder=tmp_path)
    assert name in str(err.value) and REBUILD in str(err.value)


def test_a_folder_passed_as_argument_is_checked_the_same_way(tmp_path: Path) -> None:
    name = filename("photos", 64, "test")
    path = _copy(tmp_path, [name]) / name
    assert load_photos("test", 64, folder=tmp_path).shape[0] > 0
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataError, match="checksum mismatch"):
        load_photos("test", 64, folder=tmp_path)


def test_a_missing_checksum_file_is_reported_with_the_rebuild_command(tmp_path: Path) -> None:
    name = filename("photos", 75, "test")
    shutil.copy(DATA / name, tmp_path / name)
    with pytest.raises(DataError, match="SHA256SUMS is missing") as err:
        load_photos("test", 75, folder=tmp_path)
    assert f"{REBUILD} --out {tmp_path}" in str(err.value)


@pytest.mark.parametrize("call, valid", [
    (lambda: load_shapes("validation", 64), "['train', 'test']"),
    (lambda: load_shapes("train", 28), "[32, 64, 75]"),
    (lambda: load_photos("train", 32), "[64, 75]"),
])
def test_bad_arguments_raise_data_error_listing_the_valid_values(call, valid: str) -> None:  # noqa: ANN001
    with pytest.raises(DataError) as err:
        call()
    assert valid in str(err.value)


# ------------------------------------------------------ what loads ----------

@pytest.mark.parametrize("size", SHAPE_SIZES)
@pytest.mark.parametrize("split", SPLITS)
def test_shapes_are_float_images_in_0_1_with_int_masks_of_every_class(split: str,
                                                                         size: int) -> None:
    images, masks = load_shapes(split, size)
    n = {"train": 512, "test": 128}[split]
    assert images.shape == (n, size, size, 3) and images.dtype == np.float32
    assert masks.shape == (n, size, size) and masks.dtype == np.int32
    assert images.min() >= 0.0 and images.max() <= 1.0 and images.std() > 0.1
    share = np.bincount(masks.ravel(), minlength=len(CLASS_NAMES)) / masks.size
    assert len(share) == len(CLASS_NAMES) and (share[1:] > 0.04).all()
    assert 0.5 < share[0] < 0.85
    assert (masks.reshape(n, -1).max(axis=1) > 0).all()  # every image has a shape


@pytest.mark.parametrize("size", PHOTO_SIZES)
def test_photo_patches_are_float_rgb_and_test_photos_never_appear_in_training(size: int) -> None:
    for split in SPLITS:
        images = load_photos(split, size)
        assert images.shape[1:] == (size, size, 3) and images.dtype == np.float32
        assert len(images) >= 40 and images.min() >= 0.0 and images.max() <= 1.0
    with np.load(DATA / filename("photos", size, "train")) as train, \
            np.load(DATA / filename("photos", size, "test")) as test:
        assert set(train["source_names"]).isdisjoint(test["source_names"])
        assert len(set(train["source"].tolist())) == len(train["source_names"]) == 3


def test_fast_mode_returns_the_first_samples_only(monkeypatch: pytest.MonkeyPatch) -> None:
    full_x, full_y = load_shapes("train", 32)
    photos = load_photos("test", 75)
    monkeypatch.setenv("CNNLAB_FAST", "1")
    fast_x, fast_y = load_shapes("train", 32)
    assert len(fast_x) == len(fast_y) == FAST_SAMPLES
    assert np.array_equal(fast_x, full_x[:FAST_SAMPLES])
    assert np.array_equal(fast_y, full_y[:FAST_SAMPLES])
    assert np.array_equal(load_photos("test", 75), photos[:FAST_SAMPLES])


def test_importing_helpers_data_and_plots_does_not_import_tensorflow_or_matplotlib() -> None:
    code = ("import sys, helpers.data, helpers.plots; "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------ add_noise -----------

def test_add_noise_is_deterministic_by_seed_clipped_and_float32() -> None:
    clean = load_photos("test", 64)[:4]
    a, b = add_noise(clean, 0.2, seed=3), add_noise(clean, 0.2, seed=3)
    assert np.array_equal(a, b) and a.dtype == np.float32
    assert not np.array_equal(a, add_noise(clean, 0.2, seed=4))
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert 0.1 < np.abs(a - clean).mean() < 0.2
    assert np.array_equal(add_noise(clean, 0.0, seed=3), clean)


def test_add_noise_refuses_integer_images_and_negative_sigma() -> None:
    with pytest.raises(DataError, match="astype"):
        add_noise(np.zeros((1, 4, 4, 3), np.uint8), 0.1)
    with pytest.raises(DataError, match="sigma=-0.1"):
        add_noise(np.zeros((1, 4, 4, 3), np.float32), -0.1)


# ------------------------------------------------------ downsample ----------

MASK_SHAPES = st.tuples(st.integers(1, 3), st.sampled_from([6, 12]), st.sampled_from([6, 12]))


@settings(max_examples=60, deadline=None)
@given(mask=arrays(np.int32, MASK_SHAPES, elements=st.sampled_from([0, 2, 3])),
       factor=st.sampled_from([1, 2, 3, 6]), method=st.sampled_from(["nearest", "mode"]))
def test_downsampling_a_mask_never_creates_a_class_that_was_not_there(
        mask: np.ndarray, factor: int, method: str) -> None:
    small = downsample(mask, factor, method)
    assert small.shape == (mask.shape[0], mask.shape[1] // factor, mask.shape[2] // factor)
    assert small.dtype == mask.dtype
    assert set(np.unique(small)) <= set(np.unique(mask))


def test_mode_takes_the_majority_and_breaks_ties_toward_the_smallest_id() -> None:
    mask = np.array([[[3, 3, 2, 1],
                      [3, 1, 1, 2]]])
    assert downsample(mask, 2, "mode").tolist() == [[[3, 1]]]  # 3 wins 3:1; 1 and 2 tie 2:2


@pytest.mark.parametrize("method", ["area", "average"])
def test_averaging_a_mask_raises_and_names_nearest_and_mode(method: str) -> None:
    _, masks = load_shapes("test", 32)
    with pytest.raises(DataError) as err:
        downsample(masks, 2, method)
    assert "'nearest'" in str(err.value) and "'mode'" in str(err.value)


def test_a_factor_that_does_not_divide_the_size_names_the_crop_and_the_divisors() -> None:
    images, _ = load_shapes("test", 75)
    with pytest.raises(DataError) as err:
        downsample(images, 2)
    message = str(err.value)
    assert "factor=2" in message and "(75, 75)" in message
    assert ":74, :74" in message and "[3, 5, 15, 25, 75]" in message
    assert downsample(images[:, :74, :74], 2).shape == (128, 37, 37, 3)


def test_area_max_and_nearest_on_images_are_block_mean_block_max_and_centre_pixel() -> None:
    x = np.arange(36, dtype=np.float32).reshape(1, 6, 6, 1)
    assert downsample(x, 3, "area")[0, :, :, 0].tolist() == [[7.0, 10.0], [25.0, 28.0]]
    assert downsample(x, 3, "max")[0, :, :, 0].tolist() == [[14.0, 17.0], [32.0, 35.0]]
    assert downsample(x, 3, "nearest")[0, :, :, 0].tolist() == [[7.0, 10.0], [25.0, 28.0]]
    assert downsample(x, 2, "nearest")[0, :, :, 0].tolist()[0] == [7.0, 9.0, 11.0]


@pytest.mark.slow
def test_area_and_nearest_agree_with_tf_image_resize() -> None:
    tf = pytest.importorskip("tensorflow")
    images, masks = load_shapes("test", 64)
    images, masks = images[:8], masks[:8]
    for factor in (2, 4):
        size = (64 // factor, 64 // factor)
        area = tf.image.resize(images, size, method="area").numpy()
        np.testing.assert_allclose(downsample(images, factor, "area"), area, atol=1e-6)
        near = tf.image.resize(masks[..., None], size, method="nearest").numpy()[..., 0]
        assert np.array_equal(downsample(masks, factor, "nearest"), near)


@pytest.mark.parametrize("bad, fix", [
    (dict(factor=0), "whole number >= 1"),
    (dict(method="bilinear"), "'area', 'average', 'max', 'nearest', 'mode'"),
    (dict(method="mode"), "use 'area', 'max' or 'nearest'"),
])
def test_downsample_explains_bad_factors_and_methods(bad: dict, fix: str) -> None:
    args = {"images": np.zeros((1, 8, 8, 3), np.float32), "factor": 2, "method": "area", **bad}
    with pytest.raises(DataError, match=fix.replace("[", r"\[")):
        downsample(**args)


# ------------------------------------------------------ preview picture -----

def test_samples_draws_one_panel_per_image_with_its_mask_and_title() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.plots import CLASS_COLOURS, samples

    images, masks = load_shapes("test", 32)
    fig = samples(images[:5], masks=masks[:5], titles=list("abcde"), ncols=3)
    try:
        drawn = [ax for ax in fig.axes if ax.images]
        assert len(fig.axes) == 6 and len(drawn) == 5
        assert [ax.get_title() for ax in drawn] == list("abcde")
        overlay = drawn[0].images[1].get_array()
        ids = masks[0]
        assert np.all(overlay[ids == 0][..., 3] == 0)  # background stays clear
        expected = matplotlib.colors.to_rgba(CLASS_COLOURS[ids.max()], 0.5)
        assert np.allclose(overlay[ids == ids.max()][0], expected)
    finally:
        plt.close(fig)
