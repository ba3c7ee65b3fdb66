"""Training results: loss curves per strategy, and predictions beside their targets.

>>> fig = loss_curves({"same padding": {"loss": [1.0, 0.5, 0.6]}})
>>> [line.get_label() for line in fig.axes[0].lines]
['same padding: training', '_best same padding']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .style import FONT, PALETTE, SERIES, PlotError, _axes, _figure, _mask_rgba

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["loss_curves", "predictions"]


def _series(name: str, history: Any) -> dict[str, np.ndarray]:
    """{"loss": ..., "val_loss": ...} as float arrays from a dict or a Keras History."""
    h = getattr(history, "history", history)
    if not isinstance(h, Mapping) or len(h.get("loss", ())) == 0:
        raise PlotError(f"histories[{name!r}] has no 'loss' values; give a dict such as "
                        "{'loss': [0.9, 0.5], 'val_loss': [1.0, 0.7]} or the History that "
                        "model.fit returns.")
    out = {"loss": np.asarray(h["loss"], float)}
    if len(h.get("val_loss") or ()) > 0:
        out["val_loss"] = np.asarray(h["val_loss"], float)
    return out


def _checked(histories: Mapping[str, Any], log: bool) -> dict[str, dict[str, np.ndarray]]:
    """The loss series of every history; PlotError for anything that cannot be drawn."""
    if not isinstance(histories, Mapping) or not histories:
        raise PlotError(f"histories={histories!r} must be a non-empty dict of name -> history, "
                        "e.g. {'same padding': model.fit(...)}.")
    series = {name: _series(name, h) for name, h in histories.items()}
    for name, s in series.items() if log else ():
        low = min(float(np.nanmin(v)) for v in s.values())
        if low <= 0:
            raise PlotError(f"log=True but histories[{name!r}] has a loss of {low:g}; a log "
                            "scale needs losses above 0: use log=False.")
    return series


def _draw_series(ax: Axes, name: str, s: dict[str, np.ndarray], colour: str) -> None:
    """Training solid, validation dashed, and a star at the best epoch."""
    for key, style, what in (("loss", "-", "training"), ("val_loss", "--", "validation")):
        if key in s:
            epochs = np.arange(1, len(s[key]) + 1)
            ax.plot(epochs, s[key], ls=style, color=colour, lw=1.8, label=f"{name}: {what}",
                    gid=key)
    judged = s.get("val_loss", s["loss"])
    if np.isfinite(judged).any():
        best = int(np.nanargmin(judged))
        ax.plot([best + 1], [judged[best]], ls="", marker="*", ms=14, color=colour,
                mec=PALETTE["black"], label=f"_best {name}", gid="best")


def loss_curves(histories: Mapping[str, Any], log: bool = False,
                ax: Axes | None = None) -> Figure:
    """A figure of training (solid) and validation (dashed) loss per epoch, one colour per
    strategy, with a star at each strategy's best epoch (lowest validation loss, or
    lowest training loss when there is no validation).

    >>> fig = loss_curves({"crop": {"loss": [0.9, 0.4], "val_loss": [1.0, 0.8]}}, log=True)
    >>> fig.axes[0].get_yscale(), len(fig.axes[0].lines)
    ('log', 3)
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    series = _checked(histories, log)
    ax = _axes(ax, (7, 4.2))
    for (name, s), colour in zip(series.items(), SERIES * (len(series) // len(SERIES) + 1)):
        _draw_series(ax, name, s, colour)
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], ls="", marker="*", ms=12, color="white", mec=PALETTE["black"]))
    labels.append("best epoch")
    ax.legend(handles, labels, fontsize=FONT["small"], frameon=False)
    if log:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Loss per epoch" + (" (log scale)" if log else ""), fontsize=FONT["title"])
    ax.set_xlabel("epoch", fontsize=FONT["normal"])
    ax.set_ylabel("loss", fontsize=FONT["normal"])
    ax.tick_params(labelsize=FONT["small"])
    return ax.figure


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
