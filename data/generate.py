"""Rebuild every dataset file in data/, bit for bit, and data/SHA256SUMS.

    python data/generate.py               # restore missing or damaged files in data/
    python data/generate.py --out DIR     # build everything into DIR
    python data/generate.py --force       # you changed the recipe: rewrite files and sums

Without --force the script only ever writes bytes that match the checksum
recorded in SHA256SUMS (or, with no record, creates files that do not exist),
so nothing is overwritten silently. Same inputs, same bytes: every random draw
comes from a fixed seed, pixels are computed with integer arithmetic or plain
+ - * / and sqrt (no sin/exp, whose last bit varies between platforms), and
the .npz zips are written with fixed dates and attributes.

Needs scikit-image (the `dev` extra): the photographs come from skimage.data.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import math
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from helpers.data import PHOTO_SIZES, SHAPE_SIZES, SPLITS, filename  # noqa: E402

SEED = 20240605
SHAPE_COUNTS = {"train": 512, "test": 128}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# Photographs inside the scikit-image wheel (no download), all public domain or
# CC0 (see README.md). Each: skimage.data function, split, crop (top, left,
# height, width) or None, integer shrink factor (block mean), and the sha256
# of the decoded pixels, so a different decoder cannot silently change the data.
PHOTOS = (
    ("astronaut", "train", None, 1,
     "a8c429c18afa7b0fd5673e598d73a21225d94c864a71bbb3885126fdecb41071"),
    ("coffee", "train", None, 1,
     "0ce2b51640b9c95f19617f03eabf40c3f0368589cc1ee1190b70966165ac184f"),
    ("rocket", "train", None, 1,
     "3d4435cc745752b7f9724df88c6e18817de3ce7e3d2d71c55f85f7831e68f197"),
    ("chelsea", "test", None, 1,
     "416b729128bfb2c3d1eb69bf9b1734a796293abc17939267b2dc94f8a5784031"),
    # The fundus photograph is 1411 x 1411 with a black surround: keep the
    # 900 x 900 square inside the disc, shrunk 3x to 300 x 300.
    ("retina", "test", (253, 254, 900, 900), 3,
     "3670e389d0dae9f755cc1bb7e4da4c3d2cdf10eba2dc3060836d8d4b8024d860"),
)


# ---------------------------------------------------------------- shapes ----

def _smooth_noise(rng: np.random.Generator, size: int, cells: int) -> np.ndarray:
    """(size, size, 3) values in [0, 1]: a random (cells+1)^2 grid, bilinearly enlarged."""
    grid = rng.random((cells + 1, cells + 1, 3))
    t = (np.arange(size) + 0.5) * (cells / size)
    i = np.minimum(t.astype(np.int64), cells - 1)
    f = t - i
    rows = grid[i] * (1 - f)[:, None, None] + grid[i + 1] * f[:, None, None]
    return rows[:, i] * (1 - f)[None, :, None] + rows[:, i + 1] * f[None, :, None]


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    """Smooth two-scale noise around a random colour, plus a linear gradient."""
    base = 0.2 + 0.6 * rng.random(3)
    coarse, fine = _smooth_noise(rng, size, 3), _smooth_noise(rng, size, 7)
    texture = 0.25 * (coarse - 0.5) + 0.12 * (fine - 0.5)
    gx, gy = 0.4 * (rng.random(2) - 0.5)
    ramp = (np.arange(size) + 0.5) / size - 0.5
    gradient = gx * ramp[None, :, None] + gy * ramp[:, None, None]
    # 64 levels per channel: still smooth to the eye, but runs of equal bytes
    # let deflate shrink the files 2.5x (4.3 MB -> 1.7 MB for 512 images of 64 x 64).
    return np.floor(np.clip(base + texture + gradient, 0.0, 1.0) * 63 + 0.5) / 63


def _polygon(vertices: list[tuple[int, int]], size: int) -> np.ndarray:
    """Pixels whose centres lie inside a convex polygon, on the doubled integer grid."""
    c = 2 * np.arange(size, dtype=np.int64) + 1  # pixel centre i sits at 2i + 1
    y, x = c[:, None], c[None, :]
    signs = []
    for (x0, y0), (x1, y1) in zip(vertices, vertices[1:] + vertices[:1]):
        signs.append((x1 - x0) * (y - y0) - (y1 - y0) * (x - x0))
    return np.logical_and.reduce([s >= 0 for s in signs]) | np.logical_and.reduce(
        [s <= 0 for s in signs])


def _shape(rng: np.random.Generator, kind: int, size: int) -> np.ndarray:
    """A boolean (size, size) mask of one circle (1), square (2) or triangle (3)."""
    r = int(rng.integers(round(0.20 * size), round(0.50 * size) + 1))  # doubled-grid radius
    cx, cy = (int(v) for v in rng.integers(r // 2, 2 * size - r // 2 + 1, size=2))
    if kind == 1:
        c = 2 * np.arange(size, dtype=np.int64) + 1
        return (c[None, :] - cx) ** 2 + (c[:, None] - cy) ** 2 <= r * r
    if kind == 2:  # rotated square: half-diagonal (a, b), exact integer corners
        h = round(1.2 * r)
        a = int(rng.integers(0, h + 1))
        b = math.isqrt(h * h - a * a)
        corners = [(cx + a, cy + b), (cx - b, cy + a), (cx - a, cy - b), (cx + b, cy - a)]
        return _polygon(corners, size)
    h = round(1.55 * r)  # triangle: corners 120 degrees apart, rounded, then jittered
    a = int(rng.integers(-h, h + 1))
    b = math.isqrt(h * h - a * a) * (1 if rng.random() < 0.5 else -1)
    s = math.sqrt(3) / 2
    corners = [(a, b), (round(-a / 2 - s * b), round(s * a - b / 2)),
               (round(-a / 2 + s * b), round(-s * a - b / 2))]
    jitter = rng.integers(-(h // 5), h // 5 + 1, size=(3, 2))
    return _polygon([(cx + x + int(dx), cy + y + int(dy))
                     for (x, y), (dx, dy) in zip(corners, jitter)], size)


def _mean_colour(image: np.ndarray, where: np.ndarray) -> np.ndarray:
    """The mean colour under a mask, summed exactly in integers (no float reduction order)."""
    levels = np.floor(image[where] * 255 + 0.5).astype(np.int64)
    return levels.sum(axis=0) / (255 * len(levels))


def _shape_colour(rng: np.random.Generator, near: np.ndarray) -> np.ndarray:
    """A random colour at least 0.45 (RGB distance) away from the colour beneath it."""
    for _ in range(100):
        colour = rng.random(3)
        if ((colour - near) ** 2).sum() >= 0.45 ** 2:
            return colour
    return 1.0 - near


def shapes_sample(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """One uint8 image (size, size, 3) and its uint8 class mask (size, size)."""
    image = _background(rng, size)
    mask = np.zeros((size, size), dtype=np.uint8)
    drawn: list[tuple[np.ndarray, int]] = []
    for _ in range(int(rng.integers(2, 5))):
        kind = int(rng.integers(1, 4))
        for _ in range(20):  # keep every earlier shape at least half visible
            new = _shape(rng, kind, size)
            if new.sum() >= 12 and all((m & ~new).sum() * 2 >= n for m, n in drawn):
                break
        else:
            continue
        colour = _shape_colour(rng, _mean_colour(image, new))
        image[new] = colour
        mask[new] = kind
        drawn = [(m & ~new, n) for m, n in drawn] + [(new, int(new.sum()))]
    pixels = np.floor(image * 255 + 0.5).astype(np.uint8)
    return pixels, mask


def shapes_split(size: int, split: str) -> dict[str, np.ndarray]:
    """All samples of one split: its own seed, so splits and sizes never share draws."""
    rng = np.random.default_rng([SEED, size, SPLITS.index(split)])
    samples = [shapes_sample(rng, size) for _ in range(SHAPE_COUNTS[split])]
    return {"images": np.stack([s[0] for s in samples]),
            "masks": np.stack([s[1] for s in samples])}


# ---------------------------------------------------------------- photos ----

def photo(name: str, crop: tuple[int, int, int, int] | None, shrink: int,
          expected: str) -> np.ndarray:
    """One skimage.data photograph as uint8 RGB, cropped and shrunk by exact block means."""
    import skimage.data

    pixels = np.ascontiguousarray(getattr(skimage.data, name)(), dtype=np.uint8)
    digest = hashlib.sha256(pixels.tobytes()).hexdigest()
    if digest != expected:
        sys.exit(f"skimage.data.{name}() decodes to different pixels (sha256 {digest}) than "
                 f"when the data was built ({expected}); a different scikit-image or Pillow "
                 f"changed them. Use the versions in constraints.txt.")
    if crop is not None:
        top, left, height, width = crop
        pixels = pixels[top:top + height, left:left + width]
    if shrink > 1:
        h, w = pixels.shape[0] // shrink, pixels.shape[1] // shrink
        blocks = pixels[:h * shrink, :w * shrink].astype(np.int64)
        total = blocks.reshape(h, shrink, w, shrink, 3).sum(axis=(1, 3))
        pixels = ((total + shrink * shrink // 2) // (shrink * shrink)).astype(np.uint8)
    return pixels


def photos_split(size: int, split: str) -> dict[str, np.ndarray]:
    """Non-overlapping size x size tiles (a centred grid) of this split's photographs."""
    tiles, source, origin, names = [], [], [], []
    for name, which, crop, shrink, expected in PHOTOS:
        if which != split:
            continue
        pixels = photo(name, crop, shrink, expected)
        rows, cols = pixels.shape[0] // size, pixels.shape[1] // size
        top, left = (pixels.shape[0] - rows * size) // 2, (pixels.shape[1] - cols * size) // 2
        for r in range(rows):
            for c in range(cols):
                y, x = top + r * size, left + c * size
                tiles.append(pixels[y:y + size, x:x + size])
                source.append(len(names))
                origin.append((y, x))
        names.append(name)
    order = np.random.default_rng([SEED, size, SPLITS.index(split), 1]).permutation(len(tiles))
    return {"images": np.stack(tiles)[order],
            "source": np.array(source, dtype=np.uint8)[order],
            "origin": np.array(origin, dtype=np.int16)[order],
            "source_names": np.array(names)}


# ---------------------------------------------------------------- files -----

def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A compressed .npz whose bytes depend only on the arrays (fixed dates, attributes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for key, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # "Unix" everywhere, also on Windows
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return out.getvalue()


def build() -> dict[str, bytes]:
    """Every data file's name and bytes."""
    files = {}
    for size in SHAPE_SIZES:
        for split in SPLITS:
            files[filename("shapes", size, split)] = npz_bytes(shapes_split(size, split))
    for size in PHOTO_SIZES:
        for split in SPLITS:
            files[filename("photos", size, split)] = npz_bytes(photos_split(size, split))
    return files


def sums_text(files: dict[str, bytes]) -> str:
    """SHA256SUMS in `sha256sum` format, so `cd data && sha256sum -c SHA256SUMS` works."""
    return "".join(f"{hashlib.sha256(content).hexdigest()}  {name}\n"
                   for name, content in sorted(files.items()))


def write(out: Path, files: dict[str, bytes], force: bool) -> int:
    """Write what is safe to write; return the number of refused files."""
    sums = out / "SHA256SUMS"
    lines = sums.read_text().splitlines() if sums.is_file() else []
    pairs = [line.split() for line in lines]
    recorded = {pair[1]: pair[0] for pair in pairs if len(pair) == 2}  # skip damaged lines
    refused = 0
    for name, content in files.items():
        path, digest = out / name, hashlib.sha256(content).hexdigest()
        if path.is_file() and path.read_bytes() == content:
            print(f"unchanged  {name}")
            continue
        safe = recorded.get(name) == digest or (name not in recorded and not path.exists())
        if not (safe or force):
            print(f"REFUSED    {name}: the new bytes (sha256 {digest[:12]}...) differ from "
                  f"the recorded or existing file; rerun with --force if you meant it")
            refused += 1
            continue
        path.write_bytes(content)
        print(f"wrote      {name} ({len(content) / 1e6:.2f} MB)")
    digests = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    agrees = all(digests.get(name, d) == d for name, d in recorded.items())
    text = sums_text(files)
    if not refused and (force or agrees) and not (sums.is_file() and sums.read_text() == text):
        sums.write_text(text)
        print("wrote      SHA256SUMS")
    return refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="folder to write into (default: data/)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite files and SHA256SUMS even when the bytes differ")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    refused = write(args.out, build(), args.force)
    if refused:
        print(f"{refused} file(s) refused; nothing in them was changed", file=sys.stderr)
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
