"""Time every notebook: the cells' run time, and a reader's path through it.

Run: .venv/bin/python bench/bench_notebooks.py           # full mode
     .venv/bin/python bench/bench_notebooks.py --fast    # CNNLAB_FAST=1, as the tests run
     .venv/bin/python bench/bench_notebooks.py --reading # the reader's time only (no run)
Each notebook runs in a fresh kernel; the time includes the kernel's start-up.

A reader's time is measured from the notebook, not estimated: the words of its prose
and code read at READING_WPM words a minute, plus an allowance per exercise (a code-writing
exercise takes longer than a prediction), plus the cells' run time.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parent.parent
READING_WPM = 120        # technical prose and code, read with care (a student's pace)
WRITE_MINUTES = 6        # a graded exercise: write the code, run the check, fix it once
PREDICT_MINUTES = 2      # a predict-then-reveal question: think, commit, read the reveal


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


def reading(path: Path) -> dict:
    """Words to read, exercises by kind, and the minutes they take (without the run time).

    The title cell and the further reading are not counted; solution blocks are not read
    (the learner writes them), so they are left out of the words.
    """
    nb = nbformat.read(path, as_version=4)
    words, graded, predicted = 0, 0, 0
    for i, cell in enumerate(nb.cells):
        source = cell.source
        if i == 0 or source.startswith("## Further reading"):
            continue
        source = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "", source, flags=re.S)
        words += len(re.findall(r"[A-Za-z0-9_]+", source))
        if cell.cell_type == "code":
            graded += len(re.findall(r"checks\.check\(", source)) if "# YOUR CODE" in \
                cell.source or "### BEGIN SOLUTION" in cell.source else 0
            predicted += len(re.findall(r"checks\.reveal\(", source))
    minutes = words / READING_WPM + graded * WRITE_MINUTES + predicted * PREDICT_MINUTES
    return {"words": words, "graded": graded, "predicted": predicted, "minutes": minutes}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fast", action="store_true", help="fast mode (CNNLAB_FAST=1)")
    parser.add_argument("--reading", action="store_true", help="the reader's time only")
    args = parser.parse_args()
    mode = "fast" if args.fast else "full"
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        r = reading(path)
        seconds = 0.0 if args.reading else run(path, args.fast)
        total = r["minutes"] + seconds / 60
        print(f"{path.name:<40} {r['words']:5d} words {r['graded']} graded "
              f"{r['predicted']} predicted  reader {total:4.0f} min"
              + ("" if args.reading else f"  cells {mode} mode {seconds:6.1f} s"), flush=True)
