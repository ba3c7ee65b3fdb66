"""Screenshot the conv and stack explorers in JupyterLab for the README (docs/img/).

    .venv/bin/python docs/make_screenshots.py            # needs /usr/bin/chromium

Runs the browser test's own flow (tests/browserkit.py): a private JupyterLab on
a copy of notebooks/, headless Chromium at 1280x1000 and scale 1, Run All on
00_why_sizes_change.ipynb. The conv explorer is shot as Run All leaves it (12
pixels, kernel 3, stride 2: 5x5, and the row floor() drops); the stack explorer
after its "crop" button turned 76x76 into 75x75. Mouse away, no focus, no
animations: the same Chromium and fonts draw the same pixels.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from browserkit import (  # noqa: E402
    chromium,
    chromium_missing,
    click_stack_fix,
    move_conv_stride,
    open_notebook,
    run_all_cells,
    running_lab,
)

PICTURES = {"conv_explorer_before.png": "conv_explorer.png",
            "stack_explorer_after.png": "stack_explorer.png"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "img",
                        help="folder for the PNGs (default: docs/img)")
    args = parser.parse_args()
    missing = chromium_missing()
    if missing:
        sys.exit(f"cannot take screenshots: {missing}")
    with tempfile.TemporaryDirectory(prefix="cnnlab-shots-") as tmp:
        work, shots = Path(tmp), Path(tmp) / "shots"
        with running_lab(work) as lab, chromium(work / "profile") as context:
            page = open_notebook(context, lab, "00_why_sizes_change.ipynb")
            run_all_cells(page)
            move_conv_stride(page, shots)
            click_stack_fix(page, "crop", shots)
            if context.blocked:
                sys.exit(f"the page tried to reach the network: {context.blocked}")
        args.out.mkdir(parents=True, exist_ok=True)
        for source, target in PICTURES.items():
            shutil.copyfile(shots / source, args.out / target)
            print(f"wrote {args.out / target}")


if __name__ == "__main__":
    main()
