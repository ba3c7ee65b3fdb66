"""Benchmark the doctor's cell panel: the time it adds to a failing cell.

Run: .venv/bin/python bench/bench_panel.py
Prints medians; the figures measured on the project machine are in bench/README.md.

The panel is built after IPython has shown the traceback (helpers.panel.extension), so
what it adds is `doctor_panel(exc)`: finding the model in the traceback, the diagnosis
and the fixes, and the widgets. Nothing runs when no cell fails (no tracing hook).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPEATS = 7


def _caught(call) -> Exception:
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the learner's error
        return e
    raise AssertionError("expected an error")


def cases() -> dict[str, Exception]:
    """Three failing cells: a fit whose output is 61x61 against 64x64 targets, a U-Net-like
    Add at run time on a (None, None, 3) model, and ResNet50 fitted at 301x301 against
    301x301 maps."""
    import keras
    import numpy as np

    keras.utils.set_random_seed(0)
    x = np.zeros((2, 64, 64, 1), "float32")
    small = keras.Sequential([keras.Input((64, 64, 1)), keras.layers.Conv2D(8, 3, padding="same"),
                              keras.layers.Conv2D(1, 4, name="shrinks")])
    small.compile("sgd", "mse")
    inputs = keras.Input((None, None, 3))
    stem = keras.layers.Conv2D(8, 3, padding="same")(inputs)
    grow = keras.layers.UpSampling2D(2)(keras.layers.MaxPooling2D(2)(stem))
    res = keras.Model(inputs, keras.layers.Add()([grow, stem]))
    resnet = keras.applications.ResNet50(weights=None, include_top=False,
                                         input_shape=(None, None, 3))
    resnet.compile("sgd", "mse")
    big = np.zeros((1, 301, 301, 3), "float32")
    return {
        "fit, 61x61 vs 64x64 (Sequential)": _caught(lambda: small.fit(x, x, verbose=0)),
        "predict, Add at 75x75 (functional)": _caught(
            lambda: res.predict(np.zeros((1, 75, 75, 3), "float32"), verbose=0)),
        "fit, ResNet50 at 301x301": _caught(
            lambda: resnet.fit(big, np.zeros((1, 301, 301, 2048), "float32"), verbose=0)),
    }


if __name__ == "__main__":
    from helpers.panel import doctor_panel

    for name, exc in cases().items():
        doctor_panel(exc, namespace={})  # warm-up
        runs = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            panel = doctor_panel(exc, namespace={})
            runs.append(time.perf_counter() - start)
        runs.sort()
        print(f"{name}: {len(panel.fixes)} fix buttons; p50 {1000 * statistics.median(runs):.0f} "
              f"ms, max {1000 * runs[-1]:.0f} ms (of {REPEATS})", flush=True)
