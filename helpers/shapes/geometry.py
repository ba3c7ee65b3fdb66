"""What the pictures show, computed once: conv windows, transposed-conv overlap, size verdicts.

The renderers in `helpers.plots` only draw these numbers; exercise checks and
tests read them directly. Plain Python, like the rest of the shape engine.

>>> w = conv_windows(8, 3, stride=2)
>>> w.out, w.dropped, w.states[-2:]
(3, 1, ('input', 'dropped'))
>>> overlap(4, 3, 2).verdict
'kernel 3 not divisible by stride 2: inner pixels get 1, 2, 4 -> uneven overlap, checkerboard'
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from .arithmetic import ShapeError, conv_out, deconv_out, dilated, same_padding

__all__ = ["ConvWindows", "Overlap", "conv_windows", "overlap", "overlap_counts", "size_verdict"]

# What an input cell is, along one axis of a convolution (the padded axis).
CELL_STATES = ("input", "padding", "dropped", "skipped")


def _marked(out: int) -> tuple[tuple[int, int], ...]:
    """Positions drawn: first, second and last (no repeats, none outside 0..out-1)."""
    picks = [(0, 0), (0, 1), (out - 1, out - 1)]
    return tuple(dict.fromkeys(p for p in picks if max(p) < out))


@dataclass(frozen=True)
class ConvWindows:
    """One Conv2D on an n x n input, per axis: padding, windows, what each input cell is.

    >>> conv_windows(6, 2, padding="same").pad
    (0, 1)
    """

    n: int
    kernel: int
    stride: int
    padding: str
    dilation: int
    out: int
    pad: tuple[int, int]  # zeros before (top/left) and after (bottom/right)
    span: int  # the dilated kernel, ke
    states: tuple[str, ...]  # per padded cell: one of CELL_STATES
    marks: tuple[tuple[int, int], ...]  # output pixels whose windows are drawn

    @property
    def size(self) -> int:
        """Cells along the padded axis."""
        return len(self.states)

    @property
    def dropped(self) -> int:
        """Input pixels at the end of the axis that no window reaches (floor() drops them)."""
        return self.states.count("dropped")

    def state(self, r: int, c: int) -> str:
        """The state of padded cell (r, c): padding wins, then dropped, then skipped.

        >>> conv_windows(8, 3, stride=2).state(7, 0)
        'dropped'
        """
        pair = (self.states[r], self.states[c])
        return next((s for s in ("padding", "dropped", "skipped") if s in pair), "input")

    def taps(self, r: int, c: int) -> list[tuple[int, int]]:
        """The padded cells (row, column) the window of output pixel (r, c) reads.

        >>> conv_windows(7, 2, dilation=3).taps(0, 0)
        [(0, 0), (0, 3), (3, 0), (3, 3)]
        """
        rows = [r * self.stride + a * self.dilation for a in range(self.kernel)]
        cols = [c * self.stride + b * self.dilation for b in range(self.kernel)]
        return [(y, x) for y in rows for x in cols]

    def unread(self) -> int:
        """Input pixels (of n x n) no window reads: dropped or skipped between taps."""
        lo, hi = self.pad[0], self.pad[0] + self.n
        return sum(self.state(r, c) != "input" for r in range(lo, hi) for c in range(lo, hi))


def conv_windows(n: int, kernel: int, stride: int = 1, padding: str = "valid",
                 dilation: int = 1) -> ConvWindows:
    """The windows of a Conv2D on an n x n input; ShapeError when Keras would refuse it.

    >>> conv_windows(7, 3, dilation=3).states   # one window, taps at 0, 3 and 6
    ('input', 'skipped', 'skipped', 'input', 'skipped', 'skipped', 'input')
    """
    out = conv_out(n, kernel, stride, padding, dilation)
    before, after = (same_padding(n, kernel, stride, dilation)
                     if padding.lower() == "same" else (0, 0))
    span = dilated(kernel, dilation)
    size = n + before + after
    covered = {start + k * dilation for start in range(0, out * stride, stride)
               for k in range(kernel)}
    end = (out - 1) * stride + span  # one past the last window
    states = tuple("padding" if not before <= i < before + n else "input" if i in covered
                   else "dropped" if i >= end else "skipped" for i in range(size))
    return ConvWindows(n, kernel, stride, padding, dilation, out, (before, after), span, states,
                       _marked(out))


@dataclass(frozen=True)
class Overlap:
    """How a Conv2DTranspose on an n x n input paints its output: patches and their overlap.

    >>> o = overlap(3, 3, 2, padding="same")
    >>> o.length, o.crop, o.axis
    (6, (0, 1), (1, 1, 2, 1, 2, 1, 1))
    """

    n: int
    kernel: int
    stride: int
    padding: str
    output_padding: int | None
    axis: tuple[int, ...]  # patches covering each position of the full canvas, per axis
    before: int  # where the Keras output starts on the canvas ("same" crops before it)
    length: int  # the Keras output size

    @property
    def crop(self) -> tuple[int, int]:
        """Canvas cells cut off before and after the Keras output."""
        return self.before, len(self.axis) - self.before - self.length

    @property
    def canvas(self) -> list[list[int]]:
        """(H, W) patch counts over every position a patch reaches."""
        return [[a * b for b in self.axis] for a in self.axis]

    @property
    def counts(self) -> list[list[int]]:
        """(H, W) patch counts of the Keras output (the canvas, cropped)."""
        kept = self.axis[self.before:self.before + self.length]
        return [[a * b for b in kept] for a in kept]

    @property
    def picks(self) -> tuple[tuple[int, int], ...]:
        """Input pixels whose patches are drawn: first, second and last."""
        return _marked(self.n)

    @property
    def inner(self) -> list[int]:
        """The counts an output pixel far from the border gets (one value when even)."""
        low, high = self.kernel // self.stride, -(-self.kernel // self.stride)
        return sorted({low * low, low * high, high * high})

    @property
    def even(self) -> bool:
        """True when every inner pixel gets the same count: no checkerboard."""
        return self.kernel % self.stride == 0

    @property
    def verdict(self) -> str:
        """One sentence: even overlap, or which counts alternate (the checkerboard)."""
        got = ", ".join(map(str, self.inner))
        if self.even:
            return (f"kernel {self.kernel} divisible by stride {self.stride}: every inner pixel "
                    f"gets {got} -> even overlap, no checkerboard")
        return (f"kernel {self.kernel} not divisible by stride {self.stride}: inner pixels get "
                f"{got} -> uneven overlap, checkerboard")


def overlap(n: int, kernel: int, stride: int, padding: str = "valid",
            output_padding: int | None = None) -> Overlap:
    """The overlap of a Conv2DTranspose on an n x n input; ShapeError when it cannot run.

    >>> overlap(4, 4, 2).even
    True
    """
    if kernel < 1 or stride < 1:
        raise ShapeError(f"kernel={kernel}, stride={stride}: both must be at least 1.")
    length = deconv_out(n, kernel, stride, padding, output_padding)  # raises ShapeError
    full = (n - 1) * stride + kernel
    before = 0 if padding.lower() == "valid" else max(full - length, 0) // 2
    axis = [0] * max(full, before + length)
    for i in range(n):
        for k in range(i * stride, i * stride + kernel):
            axis[k] += 1
    return Overlap(n, kernel, stride, padding, output_padding, tuple(axis), before, length)


def overlap_counts(n: int, kernel: int, stride: int, padding: str = "valid",
                   output_padding: int | None = None) -> list[list[int]]:
    """How many input pixels contribute to each output pixel of a Conv2DTranspose on an
    n x n input (what it outputs for an all-ones input and kernel).

    >>> overlap_counts(2, 3, 2)[2]
    [2, 2, 4, 2, 2]
    >>> [row[2:4] for row in overlap_counts(3, 4, 2, padding="same")[2:4]]   # even inside
    [[4, 4], [4, 4]]
    """
    return overlap(n, kernel, stride, padding, output_padding).counts


def _hw(shape: tuple) -> tuple[int, int] | None:
    """(H, W) of a shape whose first two entries are known ints, else None."""
    if len(shape) >= 2 and all(isinstance(v, numbers.Integral) for v in shape[:2]):
        return int(shape[0]), int(shape[1])
    return None


def size_verdict(output: tuple, target: tuple) -> str:
    """The sentence that compares an output size with a target size, pixel by pixel.

    >>> size_verdict((76, 76, 1), (75, 75))
    'output 76x76 vs target 75x75: 1 px too big'
    >>> size_verdict((61, 63), (64, 64))
    'output 61x63 vs target 64x64: H 3 px short, W 1 px short'
    """
    out, tgt = _hw(tuple(output)[:2]), _hw(tuple(target)[:2])
    if tgt is None:
        raise ShapeError(f"target={target!r} is not a size; give (H, W) or (H, W, C) with "
                         "ints, e.g. target=(64, 64).")
    if out is None:
        shown = "x".join("?" if v is None else str(v) for v in output) or "?"
        what = "has an unknown size" if len(output) == 3 else "is not a feature map"
        return f"output {shown} {what}: no H, W to compare"
    sizes = f"{out[0]}x{out[1]}"
    if out == tgt:
        return f"output {sizes} = target {tgt[0]}x{tgt[1]}: sizes match"

    def gap(o: int, t: int) -> str:
        return "matches" if o == t else f"{t - o} px short" if o < t else f"{o - t} px too big"

    dh, dw = gap(out[0], tgt[0]), gap(out[1], tgt[1])
    diff = dh if dh == dw else f"H {dh}, W {dw}"
    return f"output {sizes} vs target {tgt[0]}x{tgt[1]}: {diff}"
