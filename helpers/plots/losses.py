"""Loss curves: the live SVG (playground, training progress) and the static comparison
(matplotlib: several runs, log scale, drawn into your axes), from the same series and style.

Both read a history with `loss_series` and mark the epoch `best_epoch` picks; both
draw training solid and validation dashed in the run's colour (style.LOSS_LINES,
style.SERIES) with a star at the best epoch.

>>> s = loss_series({"loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.7, 0.8]})
>>> best_epoch(s), loss_svg(s).data["best"]
(1, 1)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .style import FONT, GREY, LOSS_LINES, PALETTE, RUNNING, SERIES, PlotError, _figure
from .svg import SvgPicture, svg_document, svg_line, svg_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["best_epoch", "loss_curves", "loss_series", "loss_svg"]


def loss_series(history: Any, name: str = "history", required: bool = False
                ) -> dict[str, list[float]]:
    """{"loss": [...], "val_loss": [...]} as floats, from a dict or a Keras History (empty
    series are left out); with ``required``, PlotError when there is no 'loss' to draw.

    >>> loss_series({"loss": [1, 0.5], "val_loss": [], "accuracy": [0.1, 0.2]})
    {'loss': [1.0, 0.5]}
    """
    h = getattr(history, "history", history)
    if not isinstance(h, Mapping) or (required and len(h.get("loss") or ()) == 0):
        raise PlotError(f"{name} has no 'loss' values; give a dict such as "
                        "{'loss': [0.9, 0.5], 'val_loss': [1.0, 0.7]} or the History that "
                        "model.fit returns.")
    return {k: [float(v) for v in h[k]] for k in LOSS_LINES if len(h.get(k) or ()) > 0}


def best_epoch(series: Mapping[str, Sequence[float]]) -> int | None:
    """Index of the lowest finite validation loss (training loss without validation).

    >>> best_epoch({"loss": [0.9, 0.4, float("nan")]})
    1
    """
    judged = series.get("val_loss") or series.get("loss") or []
    finite = [i for i, v in enumerate(judged) if math.isfinite(v)]
    return min(finite, key=judged.__getitem__) if finite else None


def _star(x: float, y: float, r: float, colour: str) -> str:
    """A five-pointed star (the best epoch) centred on (x, y)."""
    points = " ".join(
        f"{x + (r if k % 2 == 0 else r / 2.5) * math.sin(k * math.pi / 5):.1f},"
        f"{y - (r if k % 2 == 0 else r / 2.5) * math.cos(k * math.pi / 5):.1f}"
        for k in range(10))
    return f'<polygon class="best" points="{points}" fill="{colour}" stroke="{PALETTE["black"]}"/>'


def loss_svg(history: Any, steps: Sequence[tuple[float, float]] = (), epochs: int | None = None,
             title: str = "", width: int = 420, height: int = 180) -> SvgPicture:
    """Training (solid) and validation (dashed) loss per epoch as SVG, best epoch starred;
    ``steps`` are (epoch, loss) points of the running loss (thin), ``epochs`` fixes the x axis.

    >>> pic = loss_svg({"loss": [0.9, 0.5]}, steps=[(0.5, 1.0), (1, 0.9)], epochs=3)
    >>> pic.data["best"], pic.title
    (1, 'loss per epoch, best epoch 2')
    """
    series, colour = loss_series(history), SERIES[0]
    n = max([len(s) for s in series.values()] + [math.ceil(x) for x, _ in steps] + [1])
    n = max(n, epochs or 0)
    values = [v for s in series.values() for v in s] + [v for _, v in steps]
    values = [v for v in values if math.isfinite(v)]
    left, right, top, bottom = 44, width - 12, 22 + 14 * bool(title), height - 28
    body = [svg_line([(left, top), (left, bottom), (right, bottom)], GREY)]
    if title:
        body.append(svg_text(left, 14, title, 11, weight="bold"))
    best = best_epoch(series)
    if values:
        lo, hi = min(values), max(values)
        span = (hi - lo) or 1.0

        def xy(epoch: float, v: float) -> tuple[float, float]:  # epoch 0 .. n on the x axis
            return left + (right - left) * epoch / n, top + (bottom - top) * (hi - v) / span

        if steps:
            body.append(svg_line([xy(x, v) for x, v in steps if math.isfinite(v)], colour, 1,
                                 opacity=RUNNING[1], cls="running"))
        key_rows = []
        for key, s in series.items():
            label, dash = LOSS_LINES[key]
            body.append(svg_line([xy(i + 1, v) for i, v in enumerate(s)], colour, 2, dash,
                                 cls=key))
            key_rows.append((label, 2, dash, 1.0))
        if steps:
            key_rows.append((RUNNING[0], 1, None, RUNNING[1]))
        for k, (label, lw, dash, alpha) in enumerate(key_rows):
            y = top + 4 + 14 * k
            body.append(svg_line([(right - 106, y), (right - 86, y)], colour, lw, dash, alpha))
            body.append(svg_text(right - 82, y + 4, label, 11))
        if best is not None:
            watched = series.get("val_loss") or series["loss"]
            body.append(_star(*xy(best + 1, watched[best]), 7, colour))
            body.append(svg_text(left, height - 8, f"epoch 1..{n}; best epoch {best + 1}: "
                                 f"{watched[best]:.4g}", 11))
        body.append(svg_text(left - 4, top + 4, f"{hi:.3g}", 10, "end"))
        body.append(svg_text(left - 4, bottom, f"{lo:.3g}", 10, "end"))
    name = "loss per epoch" + (f", best epoch {best + 1}" if best is not None else "")
    return SvgPicture(svg_document(width, height, body, title or name), title or name, None, 0,
                      {"best": best, "series": series})


def _draw_series(ax: Axes, name: str, s: dict[str, list[float]], colour: str) -> None:
    """Training solid, validation dashed, and a star at the best epoch."""
    for key, values in s.items():
        label, dash = LOSS_LINES[key]
        ax.plot(range(1, len(values) + 1), values, color=colour, lw=1.8, gid=key,
                label=f"{name}: {label}", **({"dashes": dash} if dash else {}))
    best = best_epoch(s)
    if best is not None:
        judged = s.get("val_loss") or s["loss"]
        ax.plot([best + 1], [judged[best]], ls="", marker="*", ms=14, color=colour,
                mec=PALETTE["black"], label=f"_best {name}", gid="best")


def loss_curves(histories: Mapping[str, Any], log: bool = False,
                ax: Axes | None = None) -> Figure:
    """A figure of training (solid) and validation (dashed) loss per epoch, one colour per
    strategy, with a star at each strategy's best epoch (lowest validation loss, or
    lowest training loss when there is no validation).

    >>> fig = loss_curves({"crop": {"loss": [0.9, 0.4], "val_loss": [1.0, 0.8]}}, log=True)
    >>> fig.axes[0].get_yscale(), [line.get_label() for line in fig.axes[0].lines]
    ('log', ['crop: training', 'crop: validation', '_best crop'])
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    if not isinstance(histories, Mapping) or not histories:
        raise PlotError(f"histories={histories!r} must be a non-empty dict of name -> history, "
                        "e.g. {'same padding': model.fit(...)}.")
    series = {name: loss_series(h, f"histories[{name!r}]", required=True)
              for name, h in histories.items()}
    for name, s in series.items() if log else ():
        low = min((v for values in s.values() for v in values if not math.isnan(v)),
                  default=1.0)
        if low <= 0:
            raise PlotError(f"log=True but histories[{name!r}] has a loss of {low:g}; a log "
                            "scale needs losses above 0: use log=False.")
    own = ax is None  # our own figure: the legend goes beside the axes, off the curves
    ax = _figure((8.4, 4.2), layout="constrained").add_subplot() if own else ax
    for (name, s), colour in zip(series.items(), SERIES * (len(series) // len(SERIES) + 1)):
        _draw_series(ax, name, s, colour)
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], ls="", marker="*", ms=12, color="white", mec=PALETTE["black"]))
    labels.append("best epoch")
    ax.legend(handles, labels, fontsize=FONT["small"], frameon=False,
              **({"loc": "upper left", "bbox_to_anchor": (1.01, 1.0)} if own else {}))
    if log:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Loss per epoch" + (" (log scale)" if log else ""), fontsize=FONT["title"])
    ax.set_xlabel("epoch", fontsize=FONT["normal"])
    ax.set_ylabel("loss", fontsize=FONT["normal"])
    ax.tick_params(labelsize=FONT["small"])
    return ax.figure
