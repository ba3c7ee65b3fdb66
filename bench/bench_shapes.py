"""Benchmark the shape engine: import time, and trace() of a 20-layer network.

Run: .venv/bin/python bench/bench_shapes.py
Prints medians; the figures measured on the project machine are in bench/README.md.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import timeit

from helpers.shapes import (
    Concatenate,
    Conv2D,
    Conv2DTranspose,
    MaxPooling2D,
    UpSampling2D,
    ZeroPadding2D,
    trace,
)

IMPORT = ("import time; t = time.perf_counter(); import helpers.shapes; "
          "print(time.perf_counter() - t)")


def import_time(repeats: int = 15) -> float:
    """Median seconds to import helpers.shapes in a fresh interpreter."""
    runs = [float(subprocess.run([sys.executable, "-c", IMPORT], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(repeats)]
    return statistics.median(runs)


def twenty_layers() -> list:
    """A 20-layer U-Net-like stack with two skips (odd sizes padded on the way)."""
    enc = [Conv2D(16, 3, padding="same", name="e1"), Conv2D(16, 3, padding="same", name="s1"),
           MaxPooling2D(2), Conv2D(32, 3, padding="same"), Conv2D(32, 3, padding="same", name="s2"),
           MaxPooling2D(2), Conv2D(64, 3, padding="same"), Conv2D(64, 3, padding="same"),
           Conv2D(64, 3, strides=2, padding="same"), Conv2D(64, 1)]
    dec = [Conv2DTranspose(64, 3, strides=2, padding="same"), Conv2D(32, 3, padding="same"),
           UpSampling2D(2), Concatenate(skip="s2"), Conv2D(32, 3, padding="same"),
           Conv2DTranspose(16, 2, strides=2), Concatenate(skip="s1"),
           Conv2D(16, 3, padding="same"), ZeroPadding2D(0), Conv2D(1, 1)]
    return enc + dec


def trace_time(number: int = 2000) -> float:
    """Median seconds for one trace() of the 20-layer stack on a 96x96x1 input."""
    layers = twenty_layers()
    runs = timeit.repeat(lambda: trace((96, 96, 1), layers), number=number, repeat=7)
    return statistics.median(runs) / number


if __name__ == "__main__":
    assert len(twenty_layers()) == 20
    print(f"import helpers.shapes (fresh interpreter, median of 15): {import_time() * 1e3:.1f} ms")
    print(f"trace() of a 20-layer stack (median of 7 x 2000):        {trace_time() * 1e6:.0f} us")
