"""Time every notebook top to bottom, in full mode (as a learner runs it) or fast mode.

Run: .venv/bin/python bench/bench_notebooks.py           # full mode
     .venv/bin/python bench/bench_notebooks.py --fast    # CNNLAB_FAST=1, as the tests run
Each notebook runs in a fresh kernel; the time includes the kernel's start-up.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parent.parent


def run(path: Path, fast: bool) -> float:
    """Seconds to execute one notebook in a new kernel."""
    os.environ.pop("CNNLAB_FAST", None)
    if fast:
        os.environ["CNNLAB_FAST"] = "1"
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fast", action="store_true", help="fast mode (CNNLAB_FAST=1)")
    args = parser.parse_args()
    mode = "fast" if args.fast else "full"
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        print(f"{path.name:<40} {mode} mode {run(path, args.fast):6.1f} s", flush=True)
