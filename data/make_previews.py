"""Draw data/preview_shapes.png and data/preview_photos.png with helpers.plots.

    python data/make_previews.py

The pictures in data/README.md. They are made with the project's own plotting
code (helpers.plots.samples) at a fixed dpi with no date in the PNG metadata,
so the same matplotlib writes the same bytes. They are not in SHA256SUMS:
another matplotlib or FreeType may draw text a pixel differently.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from helpers.data import (  # noqa: E402
    CLASS_NAMES,
    add_noise,
    data_dir,
    filename,
    load_photos,
    load_shapes,
)
from helpers.plots import CLASS_COLOURS, samples  # noqa: E402

DPI = 100
PNG = {"dpi": DPI, "metadata": {"Software": None}, "pil_kwargs": {"optimize": True}}


def _two_rows(top, bottom, top_title: str, bottom_title: str):  # noqa: ANN001, ANN202
    n = len(top[0])
    fig, grid = plt.subplots(2, n, figsize=(1.2 * n, 2.9))
    samples(top[0], masks=top[1], axes=grid[0], titles=top[2], alpha=0.8)
    samples(bottom[0], masks=bottom[1], axes=grid[1], titles=bottom[2], alpha=0.8)
    grid[0, 0].set_ylabel(top_title, fontsize=8)
    grid[1, 0].set_ylabel(bottom_title, fontsize=8)
    return fig


def shapes_preview(path: Path) -> None:
    images, masks = load_shapes("train", 75)
    x, y = images[:8], masks[:8]
    fig = _two_rows((x, None, None), (x, y, None), "image", "with mask")
    handles = [Patch(color=c, label=f"{i} {name}") for i, (name, c)
               in enumerate(zip(CLASS_NAMES, CLASS_COLOURS)) if i > 0]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle("shapes: 75 x 75 training samples; masks overlaid (background left clear)",
                 fontsize=9)
    fig.subplots_adjust(left=0.03, right=0.99, top=0.88, bottom=0.1, wspace=0.05, hspace=0.05)
    fig.savefig(path, **PNG)
    plt.close(fig)


def _sources(split: str, size: int, n: int) -> list[str]:
    """The photograph each of the first n patches was cut from (stored beside the pixels)."""
    with np.load(data_dir() / filename("photos", size, split)) as npz:
        return [f"{split}: {npz['source_names'][i]}" for i in npz["source"][:n]]


def photos_preview(path: Path) -> None:
    train, test = load_photos("train", 64)[:5], load_photos("test", 64)[:3]
    clean = np.concatenate([train, test])
    noisy = add_noise(clean, sigma=0.1, seed=0)
    titles = _sources("train", 64, len(train)) + _sources("test", 64, len(test))
    fig = _two_rows((clean, None, titles), (noisy, None, None), "clean", "noisy, sigma 0.1")
    fig.suptitle("photos: 64 x 64 patches and add_noise(sigma=0.1, seed=0)", fontsize=9)
    fig.subplots_adjust(left=0.03, right=0.99, top=0.82, bottom=0.02, wspace=0.05, hspace=0.05)
    fig.savefig(path, **PNG)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE,
                        help="folder for the PNGs (default: data/)")
    out = parser.parse_args().out
    shapes_preview(out / "preview_shapes.png")
    photos_preview(out / "preview_photos.png")
    print(f"wrote {out / 'preview_shapes.png'} and {out / 'preview_photos.png'}")


if __name__ == "__main__":
    main()
