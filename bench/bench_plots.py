"""Benchmark building the live pictures: conv_svg, overlap_svg, size_diagram, loss_svg.

Run: .venv/bin/python bench/bench_plots.py
Each picture is built 100 times with changing values, the way an explorer redraws
it on a slider tick (geometry from helpers.shapes, then the SVG string). Prints
p50 and p95 in ms. The figures measured on the project machine are in bench/README.md.
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.plots import conv_svg, loss_svg, overlap_svg, size_diagram  # noqa: E402
from helpers.shapes import (  # noqa: E402
    Concatenate,
    Conv2D,
    Conv2DTranspose,
    MaxPooling2D,
    ShapeError,
    conv_out,
    trace,
)

RUNS = 100


def traces(count: int = RUNS, seed: int = 0) -> list:
    """(trace, target) pairs: encoder-decoders of 6-10 layers on changing input sizes."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        n = rng.randint(48, 100)
        pad = rng.choice(["same", "valid"])
        depth = rng.randint(2, 4)
        layers = [Conv2D(8, 3, padding="same", name="enc0")]
        layers += [Conv2D(8 * 2 ** i, 3, strides=2, padding=pad) for i in range(depth)]
        layers += [Conv2DTranspose(8, 3, strides=2, padding="same") for _ in range(depth)]
        if rng.random() < 0.5:
            layers += [Concatenate(skip="enc0")] if depth == 2 else [MaxPooling2D(1)]
        layers.append(Conv2D(1, 1))
        try:
            out.append((trace((n, n, 3), layers), (n, n)))
        except ShapeError:
            continue  # e.g. a skip whose sizes no longer agree
    return out


def conv_settings(count: int = RUNS) -> list[tuple]:
    """(n, kernel, stride, padding, dilation) that Keras accepts, cycling through n 7-12."""
    every = [(n, k, s, p, d) for n, k, s, p, d in itertools.product(
        range(7, 13), range(1, 6), (1, 2, 3), ("valid", "same"), (1, 2)) if _runs(n, k, s, p, d)]
    return list(itertools.islice(itertools.cycle(random.Random(0).sample(every, len(every))),
                                 count))


def _runs(n: int, k: int, s: int, p: str, d: int) -> bool:
    try:
        conv_out(n, k, s, p, d)
    except ShapeError:
        return False
    return True


def timed(calls: list[Callable[[], object]]) -> tuple[float, float]:
    """(p50, p95) in ms over the calls."""
    times = []
    for call in calls:
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    rng = random.Random(0)
    histories = [{"loss": [rng.random() for _ in range(e)], "val_loss": [rng.random()
                  for _ in range(e)]} for e in (rng.randint(1, 30) for _ in range(RUNS))]
    cases = {
        "conv_svg": [lambda a=a: conv_svg(*a) for a in conv_settings()],
        "overlap_svg": [lambda k=k, s=s, i=i: overlap_svg(k, s, 2 + i % 7) for k, s, i in zip(
            itertools.cycle(range(1, 6)), itertools.cycle((1, 2, 3)), range(RUNS))],
        "size_diagram": [lambda t=t, g=g: size_diagram(t, g) for t, g in traces()],
        "loss_svg": [lambda h=h: loss_svg(h, [(i / 4, v) for i, v in enumerate(h["loss"])])
                     for h in histories],
    }
    print(f"{'picture':<14}{'p50 ms':>8}{'p95 ms':>8}")
    for name, calls in cases.items():
        p50, p95 = timed(calls)
        print(f"{name:<14}{p50:>8.3f}{p95:>8.3f}")


if __name__ == "__main__":
    main()
