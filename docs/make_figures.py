"""Draw the README's pictures with helpers.plots: docs/img/size_diagram.svg, conv_windows.svg.

    python docs/make_figures.py            # or: .venv/bin/python docs/make_figures.py

They are the very SVG pictures the notebooks and explorers show (plain Python,
no matplotlib), so the same code writes the same bytes on every machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from helpers.plots import conv_svg, size_diagram  # noqa: E402
from helpers.shapes import Conv2D, Conv2DTranspose, trace  # noqa: E402

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
                        help="folder for the SVGs (default: docs/img/)")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    pictures = {"size_diagram.svg": size_diagram(trace((75, 75, 3), ENCODER_DECODER),
                                                 target=(75, 75)),
                "conv_windows.svg": conv_svg(8, 3, stride=2)}
    for name, picture in pictures.items():
        (out / name).write_text(picture.svg + "\n", encoding="utf-8")
    print("wrote " + " and ".join(str(out / name) for name in pictures))


if __name__ == "__main__":
    main()
