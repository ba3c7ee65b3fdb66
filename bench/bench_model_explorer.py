"""Benchmark model_explorer's redraw: one input-size change, no TensorFlow touched.

Run: .venv/bin/python bench/bench_model_explorer.py
Prints p50/p95; the figures measured on the project machine are in bench/README.md.

Each size is new to the explorer (its per-size cache never hits), so every redraw walks
the model's graph, draws the size diagram and, where the model breaks or misses its
target, ranks the fixes and searches the nearest sizes that work.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def times(explorer, sizes) -> list[float]:
    out = []
    for n in sizes:
        start = time.perf_counter()
        explorer.set(input_h=n, input_w=n)
        out.append(time.perf_counter() - start)
    return sorted(out)


if __name__ == "__main__":
    import keras
    from test_widgets_model import unet

    from helpers.widgets import model_explorer

    cases = {
        "MobileNetV2(weights=None, include_top=False), no target":
            (keras.applications.MobileNetV2(weights=None, include_top=False,
                                            input_shape=(None, None, 3)), None),
        "U-Net depth 4 (functional, 4 skips), target = input": (unet(4), "input"),
    }
    for name, (model, target) in cases.items():
        start = time.perf_counter()
        ex = model_explorer(model, target=target, size=(96, 96))
        built = time.perf_counter() - start
        runs = times(ex, range(97, 177))  # 80 sizes, odd and even: some break, some work
        p50, p95 = statistics.median(runs), runs[int(0.95 * len(runs)) - 1]
        print(f"{name}: built in {1000 * built:.0f} ms; redraw p50 {1000 * p50:.1f} ms, "
              f"p95 {1000 * p95:.1f} ms (80 sizes)", flush=True)
