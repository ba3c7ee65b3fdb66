"""A decision guide drawn as a flow chart: questions down the left, strategies on the right.

Each branch is a yes/no question; "yes" leads right to a strategy box that carries the
measured numbers behind it, "no" leads down to the next question, and the last "no"
ends in a fallback strategy. The chart draws what it is given: the caller computes
the evidence (from `training.compare`'s runs, say), so the numbers are never typed in.

>>> fig = decision_guide([Branch("Is a coarse target enough?", "Downsample the target",
...                              "0.07 s/epoch, the fastest")], ("Upsample the output", ""))
>>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "strategy"]
['Downsample the target', 'Upsample the output']
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .style import FONT, PALETTE, PlotError, _figure, _tint

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Branch", "decision_guide"]

WIDTH = 10.0  # inches: question column, arrow gap, strategy column
Q_X, Q_W, S_X, S_W = 0.1, 3.6, 4.6, 5.3  # left edges and widths of the two columns
LINE = 0.19  # inches per text line at 9 points, with a little leading
PAD, GAP = 0.14, 0.42  # inside a box; between two rows (room for the "no" arrow)
Q_CHARS, S_CHARS = 44, 84  # wrap widths in characters, for the two columns


@dataclass(frozen=True)
class Branch:
    """One step of the guide: if `question` is answered yes, use `strategy`, because of
    `evidence` (measured numbers, one or more lines; may be empty).

    >>> Branch("Odd input sizes?", "U-Net, pad the input", "mIoU 0.70").strategy
    'U-Net, pad the input'
    """

    question: str
    strategy: str
    evidence: str = ""


def _wrap(text: str, chars: int) -> list[str]:
    """The text's lines, each paragraph wrapped to `chars` characters."""
    return [line for part in text.splitlines() for line in (textwrap.wrap(part, chars) or [""])]


def _box(ax: Axes, x: float, y: float, w: float, h: float, colour: str, gid: str) -> None:
    """A rounded box, top-left corner at (x, y) in inches, y growing downwards."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.08",
                                facecolor=_tint(colour, 0.15), edgecolor=colour, lw=1.4,
                                gid=gid))


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str) -> None:
    """An arrow from start to end, labelled at its middle ("yes" / "no")."""
    ax.annotate("", end, start, arrowprops={"arrowstyle": "-|>", "color": PALETTE["black"],
                                            "lw": 1.2, "shrinkA": 0, "shrinkB": 0},
                gid=f"arrow_{label}")
    mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
    horizontal = start[1] == end[1]
    ax.text(mx, my - 0.06 if horizontal else my, f" {label}", fontsize=FONT["small"],
            ha="center" if horizontal else "left", va="bottom" if horizontal else "center",
            style="italic", gid="arrow_label")


def _strategy(ax: Axes, x: float, y: float, w: float, strategy: str,
              evidence: list[str]) -> float:
    """Draw a strategy box w inches wide (name in bold, evidence below); return its height."""
    h = 2 * PAD + LINE * (1.15 + len(evidence))
    _box(ax, x, y, w, h, PALETTE["green"], "strategy_box")
    ax.text(x + PAD, y + PAD, strategy, fontsize=FONT["title"], weight="bold", va="top",
            gid="strategy")
    if evidence:
        ax.text(x + PAD, y + PAD + 1.2 * LINE, "\n".join(evidence), fontsize=FONT["small"],
                va="top", linespacing=1.35, color="#333333", gid="evidence")
    return h


def _branches(branches: Sequence[Branch | tuple], fallback: tuple[str, str]) -> list[Branch]:
    """The branches as Branch objects (tuples accepted); PlotError for anything else."""
    try:
        steps = [b if isinstance(b, Branch) else Branch(*b) for b in branches]
    except TypeError:
        steps = []
    if not steps or not all(isinstance(v, str) for b in steps for v in vars(b).values()):
        raise PlotError(f"branches={branches!r} must be a non-empty list of (question, "
                        "strategy, evidence) strings, e.g. [('Is a coarse target enough?', "
                        "'Downsample the target', '0.07 s/epoch')].")
    if not (isinstance(fallback, tuple) and len(fallback) == 2
            and all(isinstance(s, str) for s in fallback)):
        raise PlotError(f"fallback={fallback!r} must be (strategy, evidence), two strings, "
                        "e.g. ('Upsample the output', 'PSNR 22.1 dB').")
    return steps


def decision_guide(branches: Sequence[Branch | tuple], fallback: tuple[str, str],
                   title: str = "Which strategy? Follow the questions",
                   ax: Axes | None = None) -> Figure:
    """A flow chart figure: each branch's question (left) with a "yes" arrow to its strategy
    and evidence (right) and a "no" arrow to the next question; the last "no" leads to
    `fallback` = (strategy, evidence). A branch is a Branch or a (question, strategy,
    evidence) tuple. Texts carry gids "question", "strategy", "evidence".

    >>> fig = decision_guide([("Q1?", "A", "1 s"), Branch("Q2?", "B")], ("C", ""))
    >>> [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "question"]
    ['Q1?', 'Q2?']
    """
    branches = _branches(branches, fallback)
    rows = []  # (question lines, evidence lines, row height)
    for b in branches:
        q, ev = _wrap(b.question, Q_CHARS), _wrap(b.evidence, S_CHARS) if b.evidence else []
        rows.append((q, ev, max(2 * PAD + LINE * len(q), 2 * PAD + LINE * (1.15 + len(ev)))))
    last_w = S_X + S_W - Q_X  # the fallback spans both columns
    last_ev = _wrap(fallback[1], int(S_CHARS * last_w / S_W)) if fallback[1] else []
    last_h = 2 * PAD + LINE * (1.15 + len(last_ev))
    top = 0.5 if title else 0.1
    height = top + sum(h + GAP for *_, h in rows) + last_h + 0.1
    if ax is None:
        ax = _figure((WIDTH, height)).add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    if title:
        ax.text(Q_X, 0.22, title, fontsize=FONT["title"] + 1, weight="bold", va="center",
                gid="title")
    y = top
    for b, (q, ev, h) in zip(branches, rows):
        _box(ax, Q_X, y, Q_W, h, PALETTE["blue"], "question_box")
        ax.text(Q_X + PAD, y + h / 2, "\n".join(q), fontsize=FONT["normal"], va="center",
                linespacing=1.35, gid="question")
        _strategy(ax, S_X, y, S_W, b.strategy, ev)
        _arrow(ax, (Q_X + Q_W, y + h / 2), (S_X, y + h / 2), "yes")
        _arrow(ax, (Q_X + Q_W / 2, y + h), (Q_X + Q_W / 2, y + h + GAP), "no")
        y += h + GAP
    _strategy(ax, Q_X, y, last_w, fallback[0], last_ev)
    return ax.figure
