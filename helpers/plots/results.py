"""Training results: each strategy's predictions beside their inputs and targets, and each
strategy's scores over seeds.

(The loss curves are in losses.py.)

>>> import numpy as np
>>> x, y = np.zeros((1, 8, 8, 3)), np.ones((1, 8, 8), int)
>>> len(predictions(x, y, {"same": np.zeros((1, 8, 8, 4))}, n=1).axes)
3
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .style import FONT, PALETTE, PlotError, _figure, _mask_rgba

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["predictions", "seed_ranges"]


def _is_mask(a: np.ndarray) -> bool:
    return a.ndim == 3 and (np.issubdtype(a.dtype, np.integer) or a.dtype == bool)


def _as_mask(a: np.ndarray) -> np.ndarray:
    """Class ids from a model's output: argmax of scores, or rounded single-channel values."""
    if a.ndim == 4 and a.shape[-1] > 1:
        return a.argmax(-1)
    return np.rint(a.reshape(a.shape[:3])).astype(int)


def _show(ax: Axes, a: np.ndarray, mask: bool) -> None:
    h, w = a.shape[:2]
    extent = (0, w, h, 0)
    if mask:
        ax.imshow(_mask_rgba(a, 1.0), extent=extent, interpolation="nearest")
    elif a.ndim == 2 or a.shape[-1] == 1:
        ax.imshow(a.reshape(h, w), cmap="gray", vmin=0, vmax=1, extent=extent,
                  interpolation="nearest")
    else:
        ax.imshow(np.clip(a[..., :3], 0, 1), extent=extent, interpolation="nearest")


def _columns(inputs: np.ndarray, targets: np.ndarray,
             outputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    if not isinstance(outputs, Mapping):
        raise PlotError("outputs must be a dict of strategy name -> array, e.g. "
                        "{'same padding': model.predict(x)}.")
    columns = {"input": np.asarray(inputs), "target": np.asarray(targets)}
    columns.update({name: np.asarray(a) for name, a in outputs.items()})
    return columns


def _shown(columns: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, bool]]:
    """Each column as drawn, and whether it is drawn as a mask (all but the input, when the
    targets are masks: scores are argmax-ed, single channels rounded)."""
    masks = _is_mask(columns["target"])
    shown = {}
    for name, a in columns.items():
        as_mask = masks and name != "input"
        shown[name] = ((a if _is_mask(a) else _as_mask(a)) if as_mask else a), as_mask
    return shown


def _same_scale(grid: np.ndarray) -> None:
    """Every panel of a row spans the row's largest H and W, so sizes compare by eye."""
    for i, row in enumerate(grid):
        tall = max(im.get_extent()[2] for ax in row for im in ax.images)
        wide = max(im.get_extent()[1] for ax in row for im in ax.images)
        for ax in row:
            ax.set_xlim(0, wide)
            ax.set_ylim(tall, 0)
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(f"sample {i}", fontsize=FONT["normal"])


def predictions(inputs: np.ndarray, targets: np.ndarray, outputs: Mapping[str, np.ndarray],
                n: int = 4) -> Figure:
    """A grid figure: one row per sample, columns input, target and each strategy's output,
    each drawn at its true size (a 61x61 output looks smaller than its 64x64 target).

    Images are (N, H, W, C) in [0, 1]; masks are integer (N, H, W) class ids, drawn
    in CLASS_COLOURS; with mask targets, outputs of class scores are argmax-ed.

    >>> import numpy as np
    >>> x = np.zeros((2, 8, 8, 3)); y = np.ones((2, 8, 8), int)
    >>> fig = predictions(x, y, {"same": np.zeros((2, 8, 8, 4))}, n=2)
    >>> len(fig.axes), fig.axes[2].get_title()
    (6, 'same\\n8x8')
    """
    columns = _columns(inputs, targets, outputs)
    n = min(n, *(len(a) for a in columns.values()))
    if n < 1:
        raise PlotError(f"n={n}: there is nothing to draw; give at least one sample per array "
                        "and n=1 or more.")
    fig = _figure((1.75 * len(columns) + 0.3, 1.75 * n + 0.7))
    grid = fig.subplots(n, len(columns), squeeze=False)
    target_hw = columns["target"].shape[1:3]
    for j, (name, (shown, as_mask)) in enumerate(_shown(columns).items()):
        hw = shown.shape[1:3]
        wrong = name not in ("input", "target") and hw != target_hw
        grid[0, j].set_title(f"{name}\n{hw[0]}x{hw[1]}" + (" (wrong size)" if wrong else ""),
                             fontsize=FONT["normal"],
                             color=PALETTE["vermillion"] if wrong else PALETTE["black"])
        for i in range(n):
            _show(grid[i, j], shown[i], as_mask)
    _same_scale(grid)
    fig.suptitle("Predictions: input, target and each strategy's output, at true size",
                 fontsize=FONT["title"])
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.03, top=1 - 0.75 / fig.get_figheight(),
                        wspace=0.08, hspace=0.08)
    return fig


def seed_ranges(scores: Mapping[str, Sequence[float]], label: str,
                higher_is_better: bool = True, ax: Axes | None = None) -> Figure:
    """Each name's score on every seed (dots) and its range, min to max (a line), the best
    median at the top. Where two lines overlap, those seeds cannot rank the two names.

    >>> fig = seed_ranges({"a": [1.0, 2.0, 3.0], "b": [2.5, 3.0, 4.0]}, "PSNR (dB)")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['a', 'b']
    """
    if not scores or not all(len(v) for v in scores.values()):
        raise PlotError("scores: give each name a list of at least one score, e.g. "
                        "{'U-Net': [0.70, 0.69, 0.66]}.")
    sign = 1 if higher_is_better else -1
    names = sorted(scores, key=lambda n: sign * float(np.median(scores[n])))   # best last: on top
    if ax is None:
        fig = _figure((6.4, 0.45 * len(names) + 1.0), layout="constrained")
        ax = fig.subplots()
    for y, name in enumerate(names):
        values = np.asarray(scores[name], float)
        ax.plot([values.min(), values.max()], [y, y], color=PALETTE["blue"], lw=2, gid="range")
        ax.plot(values, np.full(len(values), y), "o", color=PALETTE["black"], ms=4, gid="seed")
    ax.set_yticks(range(len(names)), names, fontsize=FONT["normal"])
    ax.set_xlabel(f"{label}, {'higher' if higher_is_better else 'lower'} is better "
                  f"(dots: seeds, line: min to max)", fontsize=FONT["normal"])
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.grid(axis="x", alpha=0.3)
    return ax.figure
