"""Draw the README's pictures with helpers.plots: docs/img/size_diagram.png, conv_grid.png.

    python docs/make_figures.py            # or: .venv/bin/python docs/make_figures.py

Agg backend, 100 dpi, no software name or date in the PNG, so the same
matplotlib and FreeType write the same bytes on every run (another version
may draw text a pixel differently).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from helpers.plots import conv_grid, size_diagram  # noqa: E402
from helpers.shapes import Conv2D, Conv2DTranspose, trace  # noqa: E402

PNG = {"dpi": 100, "metadata": {"Software": None}, "pil_kwargs": {"optimize": True}}

# The README's mismatch: two stride-2 "same" convolutions take 75 to ceil(75/2) = 38 and
# then 19; two stride-2 transposed convolutions double back to 38 and 76, one pixel too many.
ENCODER_DECODER = [
    Conv2D(16, 3, strides=2, padding="same", name="down1"),
    Conv2D(32, 3, strides=2, padding="same", name="down2"),
    Conv2DTranspose(16, 3, strides=2, padding="same", name="up1"),
    Conv2DTranspose(3, 3, strides=2, padding="same", name="up2"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "img",
                        help="folder for the PNGs (default: docs/img/)")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    size_diagram(trace((75, 75, 3), ENCODER_DECODER), target=(75, 75)).savefig(
        out / "size_diagram.png", **PNG)
    conv_grid(8, 3, stride=2).savefig(out / "conv_grid.png", **PNG)
    print(f"wrote {out / 'size_diagram.png'} and {out / 'conv_grid.png'}")


if __name__ == "__main__":
    main()
