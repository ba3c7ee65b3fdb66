"""Benchmark redrawing the two live pictures: size_diagram and conv_grid.

Run: .venv/bin/python bench/bench_plots.py
Each picture is redrawn 100 times with changing values into one existing
figure (view.update(...) then fig.canvas.draw() on the Agg backend), once as
the views do it and once with their text cache turned off, then built as a
fresh figure 100 times (size_diagram(...) / conv_grid(...), then draw). Prints
p50 and p95 in ms and each one's ratio to the redraw. The figures measured on
the project machine are in bench/README.md.
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.plots import ConvGridView, SizeDiagramView, conv_grid, size_diagram  # noqa: E402
from helpers.plots.convolution import AxisPlan  # noqa: E402
from helpers.shapes import (  # noqa: E402
    Concatenate,
    Conv2D,
    Conv2DTranspose,
    MaxPooling2D,
    ShapeError,
    trace,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

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


def conv_settings(count: int = RUNS, seed: int = 0) -> list[tuple]:
    """(n, kernel, stride, padding, dilation) that Keras accepts, n from 7 to 12."""
    grid = itertools.product(range(7, 13), range(1, 6), range(1, 4), ("valid", "same"), (1, 2))
    ok = []
    for args in grid:
        try:
            AxisPlan.of(*args)
            ok.append(args)
        except ShapeError:
            pass
    rng = random.Random(seed)
    return [rng.choice(ok) for _ in range(count)]


def timed(step: Callable[[object], object], values: list) -> list[float]:
    """Milliseconds of step(value) for each value."""
    ms = []
    for value in values:
        t = time.perf_counter()
        step(value)
        ms.append((time.perf_counter() - t) * 1e3)
    return ms


def p(ms: list[float], q: int) -> float:
    """The q-th percentile of ms."""
    return statistics.quantiles(ms, n=100, method="inclusive")[q - 1]


def report(name: str, runs: dict[str, list[float]]) -> None:
    redraw = runs["redraw"]
    for how, ms in runs.items():
        print(f"{name:13s} {how:26s} p50 {p(ms, 50):5.1f} ms  p95 {p(ms, 95):5.1f} ms  "
              f"({p(ms, 50) / p(redraw, 50):3.1f}x the redraw)")


def without_text_cache(fig: Figure) -> Figure:
    """The figure drawing its text the ordinary way again (undoes cache_text)."""
    fig.__dict__.pop("draw", None)
    fig._text_cache = None
    return fig


def both_ways(make_view: Callable[[], object], cases: list, fresh: Callable) -> dict:
    """Milliseconds per case: redrawn by a view, by a view without the text cache, fresh."""
    runs = {}
    for how, cached in (("redraw", True), ("redraw, no text cache", False)):
        view = make_view()
        if not cached:
            without_text_cache(view.fig)
        view.update(*cases[0])
        view.fig.canvas.draw()  # warm up: fonts, and the first labels

        def redraw(case: tuple, view=view) -> None:
            view.update(*case)
            view.fig.canvas.draw()

        runs[how] = timed(redraw, cases)
    runs["fresh figure each time"] = timed(lambda case: fresh(*case).canvas.draw(), cases)
    return runs


if __name__ == "__main__":
    print(f"matplotlib {matplotlib.__version__}, backend {matplotlib.get_backend()}, "
          f"{RUNS} redraws each, figure 9 x 4.6 in at 100 dpi")
    report("size_diagram", both_ways(SizeDiagramView, traces(), size_diagram))
    report("conv_grid", both_ways(ConvGridView, conv_settings(), conv_grid))
