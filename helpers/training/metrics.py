"""Put strategies side by side, honestly: PSNR, mean IoU, and a comparison table.

`compare` shows, beside each run's losses and quality, which target pixels its loss
saw and how many it discarded: losses are comparable only between rows that see the
same pixels. `History` is what `helpers.training.train` returns.

>>> psnr(np.zeros((1, 4, 4, 1)), np.full((1, 4, 4, 1), 0.1))
20.0
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers.errors import ShapeMismatchError

__all__ = ["psnr", "class_iou", "mean_iou", "tiers", "grid_strength", "History", "Comparison",
           "compare"]


def _mismatch(text: str) -> Exception:
    return ShapeMismatchError(text)


def psnr(y_true: np.ndarray, y_pred: np.ndarray, max_val: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB, averaged over images (capped at 100 dB).

    >>> psnr(np.zeros((2, 8, 8, 3)), np.full((2, 8, 8, 3), 0.01))
    40.0
    """
    t, p = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    if t.shape != p.shape:
        raise _mismatch(f"psnr: y_true {t.shape} vs y_pred {p.shape}; pass equal shapes.")
    mse = ((t - p) ** 2).reshape(len(t), -1).mean(axis=1)
    return round(float(np.mean(10 * np.log10(max_val ** 2 / np.maximum(mse, 1e-10)))), 4)


def grid_strength(images: np.ndarray, period: int = 2) -> float:
    """How strong a grid of `period` pixels is in (N, H, W, C) images: the checkerboard.

    Each image minus its 3x3 local mean keeps the fine detail; a grid makes that detail's
    average depend on where a pixel sits in the period (row % period, column % period).
    The result is the spread (standard deviation) of those period x period averages,
    averaged over images and channels, in the images' own units: 0 for a smooth image,
    about 0.9 for a +-1 checkerboard.

    >>> board = np.indices((8, 8)).sum(axis=0) % 2 * 2.0 - 1    # +-1 checkerboard
    >>> round(grid_strength(board[None, :, :, None]), 2), grid_strength(np.ones((1, 8, 8, 1)))
    (0.89, 0.0)
    """
    x = np.asarray(images, np.float64)
    if x.ndim != 4:
        raise _mismatch(f"grid_strength: images of shape {x.shape}; pass (N, H, W, C).")
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = x.shape[1:3]
    local = sum(padded[:, i:i + h, j:j + w] for i in range(3) for j in range(3)) / 9
    detail = (x - local)[:, 1:-1, 1:-1]  # the border's mean uses repeated pixels: leave it out
    phases = np.stack([detail[:, a::period, b::period].mean(axis=(1, 2))
                       for a in range(period) for b in range(period)])   # (period², N, C)
    return round(float(phases.std(axis=0).mean()), 6)


def class_iou(masks: np.ndarray, logits_or_labels: np.ndarray,
              classes: int) -> tuple[float, ...]:
    """Each class's intersection-over-union: the pixels where both masks and predictions
    have the class, over the pixels where either has it (nan where neither has it).

    Pass labels (N, H, W) or logits/probabilities (N, H, W, classes) (argmax is taken).
    A class the model never predicts scores 0, however rare it is: a mean over the
    classes hides it, this does not.

    >>> class_iou(np.array([[[0, 1], [1, 1]]]), np.array([[[0, 1], [0, 1]]]), classes=3)
    (0.5, 0.6667, nan)
    """
    return tuple(round(v, 4) for v in _ious(masks, logits_or_labels, classes))


def _ious(masks: np.ndarray, logits_or_labels: np.ndarray, classes: int) -> tuple[float, ...]:
    """class_iou, unrounded."""
    t = np.asarray(masks)
    t = t[..., 0] if t.ndim == 4 and t.shape[-1] == 1 else t
    p = np.asarray(logits_or_labels)
    p = p.argmax(axis=-1) if p.ndim == t.ndim + 1 else p
    if p.shape != t.shape:
        raise _mismatch(f"class_iou: masks {t.shape} vs predictions {p.shape}; pass "
                        "labels of the same shape or logits with one more axis.")
    unions = [int(np.sum((t == c) | (p == c))) for c in range(classes)]
    return tuple(float(np.sum((t == c) & (p == c)) / u) if u else float("nan")
                 for c, u in enumerate(unions))


def mean_iou(masks: np.ndarray, logits_or_labels: np.ndarray, classes: int) -> float:
    """Mean intersection-over-union over the classes present in masks or predictions
    (the mean of `class_iou`, leaving out the classes neither has).

    Pass labels (N, H, W) or logits/probabilities (N, H, W, classes) (argmax is taken).

    >>> mean_iou(np.array([[[0, 1], [1, 1]]]), np.array([[[0, 1], [0, 1]]]), classes=2)
    0.5833
    """
    ious = [v for v in _ious(masks, logits_or_labels, classes) if not np.isnan(v)]
    return round(float(np.mean(ious)), 4)


def tiers(scores: Mapping[str, Sequence[float]], higher_is_better: bool = True) -> list[list[str]]:
    """Names grouped into tiers by their scores over seeds (higher is better unless said):
    every name in a tier beats every name of the later tiers on every seed (its worst seed is
    above their best); within a tier the ranges overlap, so no order is claimed there.
    Inside a tier, names are in the order of their medians.

    >>> tiers({"a": [0.80, 0.82], "b": [0.79, 0.81], "c": [0.60, 0.70]})
    [['a', 'b'], ['c']]
    """
    sign = 1 if higher_is_better else -1
    ranked = sorted(scores, key=lambda name: -sign * float(np.median(scores[name])))
    out: list[list[str]] = []
    floor = np.inf
    for name in ranked:
        values = [sign * v for v in scores[name]]
        if out and max(values) >= floor:
            out[-1].append(name)
        else:
            out.append([name])
            floor = np.inf
        floor = min(floor, min(values))
    return out


_QUALITY = {"psnr": "PSNR {:.1f} dB", "mean_iou": "mean IoU {:.3f}"}  # how each reads


@dataclass(frozen=True)
class History:
    """What train() did: losses per epoch, timings, parameters, quality, pixels the loss saw."""

    history: dict
    epochs: list
    epoch_seconds: list
    params: int
    name: str
    task: str
    steps_per_epoch: int
    input_hw: tuple
    target_hw: tuple
    ignored_pixels: int = 0  # target pixels a masked loss never sees, per image
    quality: dict = field(default_factory=dict)  # on every output pixel, borders included
    stopped: str | None = None
    model: Any = field(default=None, repr=False, compare=False)

    @property
    def seconds_per_epoch(self) -> float:
        """Median epoch time, leaving out the first epoch (tracing) when there are more."""
        times = self.epoch_seconds[1:] or self.epoch_seconds
        return float(np.median(times)) if times else float("nan")

    @property
    def discarded_pixels(self) -> int:
        """Target pixels per image the loss never sees: masked away, or cropped off."""
        (ih, iw), (th, tw) = self.input_hw, self.target_hw
        coarser = ih >= 2 * th or iw >= 2 * tw
        return self.ignored_pixels + (0 if coarser else ih * iw - th * tw)

    def __str__(self) -> str:
        """In words: epochs, time, parameters, the last epoch's losses and the quality.

        >>> str(History({"loss": [0.5, 0.0123]}, [1, 2], [1.0, 0.5], 1234, "net", "image", 4,
        ...             (8, 8), (8, 8), quality={"psnr": 21.43}))
        'net: 2 epochs, 0.50 s/epoch, 1,234 params; last epoch: loss 0.0123; PSNR 21.4 dB'
        """
        last = ", ".join(f"{k} {v[-1]:.4f}" for k, v in self.history.items() if v)
        quality = ", ".join(_QUALITY.get(k, k + " {:.4g}").format(v)
                            for k, v in self.quality.items())
        return (f"{self.name}: {len(self.epochs)} epochs, {self.seconds_per_epoch:.2f} s/epoch, "
                f"{self.params:,} params" + (f"; last epoch: {last}" if last else "")
                + (f"; {quality}" if quality else "")
                + (f"\n{self.stopped}" if self.stopped else ""))


@dataclass(frozen=True)
class Comparison:
    """Strategies side by side: a text table (print) and an HTML table (Jupyter)."""

    header: tuple
    rows: tuple

    def __str__(self) -> str:
        cells = [self.header, *self.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.header))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells)

    __repr__ = __str__  # plain consoles show the table, not the fields

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                       for r in self.rows)
        return (f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody><caption>Compare "
                "losses only between rows whose loss sees the same pixels.</caption></table>")


def compare(runs: dict | Sequence[History]) -> Comparison:
    """A table of several trainings: parameters, s/epoch, final losses, quality (PSNR or
    mean IoU), the pixels each loss sees and the target pixels it discards.

    >>> h = History({"loss": [0.5, 0.25]}, [1, 2], [1.0, 0.5], 1234, "net", "image", 8,
    ...             (75, 75), (72, 72), quality={"psnr": 20.0})
    >>> print(compare({"crop": h}))
    strategy  params  s/epoch  loss    val_loss  quality    loss sees       discarded px
    crop      1,234   0.50     0.2500  -         PSNR 20.0  72x72 of 75x75  441 (7.8%)
    """
    items = runs.items() if isinstance(runs, dict) else [(h.name, h) for h in runs]
    rows = []
    for name, h in items:
        (ih, iw), (th, tw) = h.input_hw, h.target_hw
        sees = f"{th}x{tw} of {ih}x{iw}"
        if ih >= 2 * th or iw >= 2 * tw:
            sees += f" (x{round(ih / th)} coarser)"
        if h.ignored_pixels:  # a masked loss: full-size output, fewer pixels counted
            sees = f"{th * tw - h.ignored_pixels} of {th * tw} px (masked)"
        last = {k: (f"{v[-1]:.4f}" if v else "-") for k, v in h.history.items()}
        q = h.quality
        quality = f"PSNR {q['psnr']:.1f}" if "psnr" in q else \
            f"mIoU {q['mean_iou']:.3f}" if "mean_iou" in q else "-"
        gone = h.discarded_pixels
        rows.append((name, f"{h.params:,}", f"{h.seconds_per_epoch:.2f}", last.get("loss", "-"),
                     last.get("val_loss", "-"), quality, sees,
                     f"{gone} ({100 * gone / (ih * iw):.1f}%)" if gone else "0"))
    return Comparison(("strategy", "params", "s/epoch", "loss", "val_loss", "quality",
                       "loss sees", "discarded px"), tuple(rows))
