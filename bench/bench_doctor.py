"""Benchmark the model doctor: diagnose() of ResNet50 at 301x301 and of a 500-layer stack.

Run: .venv/bin/python bench/bench_doctor.py
Prints medians; the figures measured on the project machine are in bench/README.md.

diagnose() traces the learner's own model (helpers.bridge.trace_model: every layer's
output spec on symbolic tensors, nothing rebuilt). For comparison the script also times
keras.models.clone_model on the new input size, which trace_model did until December 2026.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.fixes import diagnose  # noqa: E402

REPEATS = 7


def resnet50():
    """ResNet50 without weights (no download) on a (None, None, 3) input."""
    import keras

    return keras.applications.ResNet50(weights=None, input_shape=(None, None, 3),
                                       include_top=False)


def stack500():
    """500 layers: blocks of conv 3x3 "same" / batch norm / ReLU / 1x1 conv / add, and a
    pooling then an upsampling after every 20th block, on a (None, None, 3) input."""
    import keras
    from keras import layers as L

    inputs = keras.Input((None, None, 3))
    x, n, blocks = L.Conv2D(8, 1)(inputs), 1, 0
    while n < 500:
        y = L.Conv2D(8, 3, padding="same")(x)
        y = L.BatchNormalization()(y)
        y = L.ReLU()(y)
        y = L.Conv2D(8, 1)(y)
        x, n, blocks = L.Add()([x, y]), n + 5, blocks + 1
        if blocks % 20 == 0:
            x, n = L.UpSampling2D(2)(L.MaxPooling2D(2)(x)), n + 2
    model = keras.Model(inputs, x)
    assert len(model.layers) - 1 >= 500, len(model.layers)
    return model


def median_time(call, repeats: int = REPEATS) -> float:
    """Median seconds of `repeats` calls (after one warm-up call)."""
    call()
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def clone_time(model, shape: tuple) -> float:
    """Median seconds of the old path: clone_model on a new input, 3 repeats."""
    import keras

    return median_time(lambda: keras.models.clone_model(model,
                                                        input_tensors=keras.Input(shape)), 3)


if __name__ == "__main__":
    for name, build, shape in [("ResNet50(weights=None)", resnet50, (301, 301, 3)),
                               ("500-layer stack", stack500, (301, 301, 3))]:
        model = build()
        d = diagnose(model, input_shape=shape)
        first = d.departure.name if d.departure else "-"
        print(f"{name}: {len(d.trace)} rows, output {d.output_hw}, culprit {first}")
        took = median_time(lambda m=model, s=shape: diagnose(m, input_shape=s))
        print(f"  diagnose at {shape} (median of {REPEATS}): {took * 1e3:.0f} ms")
        print(f"  clone_model at {shape} (old path, median of 3): "
              f"{clone_time(model, shape) * 1e3:.0f} ms")
