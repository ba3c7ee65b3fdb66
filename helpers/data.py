"""The shipped datasets: load them, make noisy pairs, shrink targets.

Two small datasets live in ``data/`` (see ``data/README.md``): synthetic
*shapes* (RGB images with per-pixel class masks: 0 background, 1 circle,
2 square, 3 triangle) and real *photos* (patches of public-domain photographs).
Loaders return float32 images in [0, 1], laid out NHWC, and int32 masks (N, H, W).

Pure numpy: importing this module never imports TensorFlow or Keras.
Every load checks the file's sha256 against ``data/SHA256SUMS``. With the
environment variable ``CNNLAB_FAST=1`` the loaders return only the first
:data:`FAST_SAMPLES` samples; ``CNNLAB_DATA_DIR`` points them at another folder.

>>> x, y = load_shapes("train", 64)
>>> x.shape[1:], x.dtype, y.shape[1:], y.dtype
((64, 64, 3), dtype('float32'), (64, 64), dtype('int32'))
"""

from __future__ import annotations

import functools
import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np

from helpers.errors import DataError

__all__ = [
    "CLASS_NAMES",
    "DataError",
    "FAST_SAMPLES",
    "PHOTO_SIZES",
    "SHAPE_SIZES",
    "SPLITS",
    "add_noise",
    "data_dir",
    "downsample",
    "filename",
    "load_photos",
    "load_shapes",
]

CLASS_NAMES = ("background", "circle", "square", "triangle")
SPLITS = ("train", "test")
SHAPE_SIZES = (32, 64, 75)
PHOTO_SIZES = (64, 75)
FAST_SAMPLES = 32
REBUILD = "python data/generate.py"
IMAGE_METHODS = ("area", "average", "max")
MASK_METHODS = ("nearest", "mode")


def data_dir() -> Path:
    """The folder the loaders read: ``$CNNLAB_DATA_DIR`` if set, else ``data/`` beside helpers.

    >>> data_dir().name
    'data'
    """
    override = os.environ.get("CNNLAB_DATA_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "data"


def filename(kind: str, size: int, split: str) -> str:
    """The file name of one dataset part, after checking the arguments.

    >>> filename("shapes", 75, "test")
    'shapes_75_test.npz'
    """
    sizes = {"shapes": SHAPE_SIZES, "photos": PHOTO_SIZES}
    if kind not in sizes:
        raise DataError(f"kind={kind!r} is not a dataset: use one of {sorted(sizes)}.")
    if split not in SPLITS:
        raise DataError(f"split={split!r} is not a split: use one of {list(SPLITS)}.")
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size not in sizes[kind]:
        raise DataError(
            f"size={size!r}: the {kind} dataset ships only sizes {list(sizes[kind])}; "
            f"pick one of those, then crop, pad or resize in your own code."
        )
    return f"{kind}_{size}_{split}.npz"


def sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rebuild_hint(folder: Path) -> str:
    default = Path(__file__).resolve().parent.parent / "data"
    if folder.resolve() == default:
        return f"rebuild it from the repository root with: {REBUILD}"
    return f"rebuild it from the repository root with: {REBUILD} --out {folder}"


def _recorded_sums(folder: Path) -> dict[str, str]:
    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        raise DataError(f"{sums} is missing, so no data file can be checked; "
                        f"{_rebuild_hint(folder)}")
    try:
        pairs = [line.split() for line in sums.read_text().splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{sums} is unreadable ({err}); {_rebuild_hint(folder)}") from err
    if any(len(pair) != 2 for pair in pairs):
        raise DataError(f"{sums} is unreadable: every line must be '<sha256>  <file name>'; "
                        f"{_rebuild_hint(folder)}")
    return {name.lstrip("*"): digest for digest, name in pairs}


@functools.lru_cache(maxsize=64)
def _verified(path: str, stamp: tuple[int, int, int, int], expected: str) -> bool:
    """Hash a file once per process; a changed inode, size or time means hashing again."""
    return sha256(Path(path)) == expected


def _read(name: str, folder: str | Path | None) -> dict[str, np.ndarray]:
    """Check one file against SHA256SUMS, then read all its arrays."""
    folder = Path(folder) if folder is not None else data_dir()
    path = folder / name
    if not path.is_file():
        raise DataError(f"data file {path} is missing; {_rebuild_hint(folder)}")
    expected = _recorded_sums(folder).get(name)
    if expected is None:
        raise DataError(f"{folder / 'SHA256SUMS'} has no entry for {name}; "
                        f"{_rebuild_hint(folder)}")
    try:
        st = path.stat()
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        ok = _verified(str(path.resolve()), stamp, expected)
    except OSError as err:
        raise DataError(f"data file {path} is unreadable ({err}); {_rebuild_hint(folder)}") from err
    if not ok:
        raise DataError(f"data file {path} is damaged: its sha256 does not match "
                        f"SHA256SUMS (checksum mismatch); {_rebuild_hint(folder)}")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile) as err:
        raise DataError(f"data file {path} is unreadable ({err}); {_rebuild_hint(folder)}") from err


def _subset(n: int) -> slice:
    return slice(0, FAST_SAMPLES) if os.environ.get("CNNLAB_FAST") == "1" else slice(0, n)


def load_shapes(split: str, size: int, folder: str | Path | None = None,
                whole: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic shapes: float32 images (N, size, size, 3) in [0, 1], int32 masks (N, size, size).

    Mask values are class ids, indexes into :data:`CLASS_NAMES`. `whole=True` returns the
    whole split even in fast mode (for a check that trains on a fixed budget).

    >>> x, y = load_shapes("test", 75)
    >>> x.shape[1:], sorted(set(y.ravel().tolist()))
    ((75, 75, 3), [0, 1, 2, 3])
    """
    arrays = _read(filename("shapes", size, split), folder)
    keep = slice(None) if whole else _subset(len(arrays["images"]))
    images = arrays["images"][keep].astype(np.float32) / np.float32(255)
    return images, arrays["masks"][keep].astype(np.int32)


def load_photos(split: str, size: int, folder: str | Path | None = None,
                whole: bool = False) -> np.ndarray:
    """Patches of real photographs: float32 images (N, size, size, 3) in [0, 1]. `whole=True`
    returns the whole split even in fast mode.

    Test patches come from photographs that no training patch comes from.

    >>> load_photos("train", 64).shape[1:]
    (64, 64, 3)
    """
    arrays = _read(filename("photos", size, split), folder)
    keep = slice(None) if whole else _subset(len(arrays["images"]))
    return arrays["images"][keep].astype(np.float32) / np.float32(255)


def add_noise(images: np.ndarray, sigma: float = 0.1, seed: int = 0) -> np.ndarray:
    """``images`` plus Gaussian noise of standard deviation ``sigma``, clipped to [0, 1] (float32).

    The same ``seed`` gives the same noise, so (noisy, clean) pairs are reproducible.

    >>> clean = np.full((1, 2, 2, 1), 0.5, dtype=np.float32)
    >>> bool(np.array_equal(add_noise(clean, 0.1, seed=1), add_noise(clean, 0.1, seed=1)))
    True
    """
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise DataError(f"add_noise: images have dtype {images.dtype}, but noise needs floats "
                        f"in [0, 1]; convert first with images.astype('float32') / 255.")
    if not sigma >= 0:
        raise DataError(f"add_noise: sigma={sigma!r} must be a standard deviation >= 0, "
                        f"e.g. sigma=0.1 for clearly visible noise.")
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(images.shape, dtype=np.float32) * np.float32(sigma)
    return np.clip(images.astype(np.float32) + noise, 0.0, 1.0)


def _blocks(x: np.ndarray, factor: int) -> np.ndarray:
    """(N, H, W, ...) -> (N, H/f, W/f, ..., f*f): each output pixel's block on the last axis."""
    n, h, w = x.shape[:3]
    rest = x.shape[3:]
    b = x.reshape(n, h // factor, factor, w // factor, factor, *rest)
    b = np.moveaxis(b, (2, 4), (-2, -1))
    return b.reshape(n, h // factor, w // factor, *rest, factor * factor)


def _check_downsample(x: np.ndarray, factor: int, method: str) -> None:
    methods = IMAGE_METHODS + MASK_METHODS
    if method not in methods:
        raise DataError(f"downsample: method={method!r} is unknown; use one of {list(methods)} "
                        f"({'/'.join(IMAGE_METHODS)} for images, "
                        f"{'/'.join(MASK_METHODS)} for class masks).")
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 1:
        raise DataError(f"downsample: factor={factor!r} must be a whole number >= 1, e.g. 2.")
    if x.ndim < 3:
        raise DataError(f"downsample: images have shape {x.shape}; pass a batch (N, H, W) "
                        f"or (N, H, W, C), e.g. images[None] for a single image.")
    is_ids = np.issubdtype(x.dtype, np.integer) or x.dtype == bool
    if is_ids and method in ("area", "average"):
        raise DataError(f"downsample: method={method!r} averages, but this array has dtype "
                        f"{x.dtype}, so it holds class ids and an average of ids is a class "
                        f"that is not there; use method='nearest' or method='mode' for masks "
                        f"(an image stored as integers: convert it, x.astype('float32') / 255).")
    if not is_ids and method == "mode":
        raise DataError(f"downsample: method='mode' counts class ids, but this array has dtype "
                        f"{x.dtype} (an image); use 'area', 'max' or 'nearest'.")
    h, w = x.shape[1:3]
    if h % factor or w % factor:
        divisors = [d for d in range(2, min(h, w) + 1) if h % d == 0 and w % d == 0]
        raise DataError(
            f"downsample: factor={factor} does not divide the spatial size (H, W) = ({h}, {w}). "
            f"Crop to a multiple first, e.g. x[:, :{h - h % factor}, :{w - w % factor}], "
            f"or use a factor that divides both: {divisors or 'none above 1'}.")


def downsample(images: np.ndarray, factor: int, method: str = "area") -> np.ndarray:
    """The batch shrunk by ``factor`` along H and W (axes 1 and 2), same dtype.

    Images (floats): ``"area"`` (alias ``"average"``, the mean of each block) or
    ``"max"`` (the block maximum). Masks (integer class ids): ``"nearest"`` (the
    pixel at offset ``factor // 2`` in each block, as ``tf.image.resize(...,
    "nearest")`` picks) or ``"mode"`` (the most frequent class, ties going to the
    smallest id). Averaging a mask raises :class:`DataError`.

    >>> y = np.array([[[0, 0, 1, 2], [0, 3, 2, 2]]])        # (1, 2, 4)
    >>> downsample(y, 2, "mode").tolist()
    [[[0, 2]]]
    >>> downsample(np.ones((1, 4, 4, 3), np.float32), 2).shape
    (1, 2, 2, 3)
    """
    x = np.asarray(images)
    _check_downsample(x, factor, method)
    if method == "nearest":
        off = factor // 2
        return x[:, off::factor, off::factor].copy()
    blocks = _blocks(x, factor)
    if method in ("area", "average"):
        return blocks.mean(axis=-1, dtype=np.float64).astype(x.dtype)
    if method == "max":
        return blocks.max(axis=-1)
    classes = np.unique(x)  # sorted, so argmax's first maximum is the smallest id
    counts = np.stack([(blocks == c).sum(axis=-1) for c in classes])
    return classes[np.argmax(counts, axis=0)].astype(x.dtype)
