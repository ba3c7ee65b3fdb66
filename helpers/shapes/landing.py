"""Land a transposed convolution on an exact size: every (kernel, stride, padding,
output_padding) that turns n pixels into the target, and really runs in TensorFlow.

Used by the fix advisor (its transposed-conv fix), `mirror_decoder`, the U-Net's
output_padding cure and the transpose explorer's "land on N" button.

>>> land(19, 38)[0]
(2, 2, 'same', None)
"""

from __future__ import annotations

from .arithmetic import deconv_paddings

__all__ = ["land", "land_pair"]

HW = tuple[int, int]


def land(n: int, target: int, max_stride: int = 8,
         kernels: tuple[int, ...] = ()) -> list[tuple[int, int, str, int | None]]:
    """Every (kernel, stride, padding, output_padding) with which a Conv2DTranspose turns
    n pixels into exactly `target`, and really runs; best first (kernel divisible by
    stride, to avoid checkerboard artifacts, then small kernels, then "same").
    Kernels 1..max(3 * stride, 9) are tried, plus any in `kernels`.

    >>> land(38, 75)[0]
    (2, 2, 'same', 1)
    """
    found = []
    for s in range(1, max_stride + 1):
        for k in sorted(set(range(1, max(3 * s, 9) + 1)) | set(kernels)):
            for padding in ("same", "valid"):
                for op, size in deconv_paddings(n, k, s, padding).items():
                    if size == target:
                        found.append((k, s, padding, op))
    return sorted(found, key=lambda c: (c[0] % c[1] != 0, c[0], c[2] != "same", c[3] is not None))


def land_pair(o: HW, t: HW, prefer: tuple[HW, HW] | None = None) -> dict | None:
    """Conv2DTranspose arguments (one padding, one output_padding form for both axes)
    that take o to exactly t, or None. `prefer` = (kernel_size, strides) to try first.

    >>> land_pair((37, 37), (75, 75), prefer=((3, 3), (2, 2)))
    {'kernel_size': (3, 3), 'strides': (2, 2), 'padding': 'valid', 'output_padding': None}
    """
    extra = tuple(prefer[0]) if prefer else ()
    options = [land(o[a], t[a], kernels=extra) for a in (0, 1)]

    def rank(axis: int, c: tuple) -> tuple:
        own = prefer is not None and (c[0], c[1]) == (prefer[0][axis], prefer[1][axis])
        return (not own, options[axis].index(c))

    best, best_rank = None, None
    for padding in ("same", "valid"):
        for none_mode in (True, False):
            picks = [sorted((c for c in options[a] if c[2] == padding
                             and (c[3] is None) == none_mode), key=lambda c, a=a: rank(a, c))
                     for a in (0, 1)]
            if not picks[0] or not picks[1]:
                continue
            (kh, sh, _, oph), (kw, sw, _, opw) = picks[0][0], picks[1][0]
            r = (rank(0, picks[0][0]), rank(1, picks[1][0]))
            if best_rank is None or r < best_rank:
                best_rank = r
                best = {"kernel_size": (kh, kw), "strides": (sh, sw), "padding": padding,
                        "output_padding": None if none_mode else (oph, opw)}
    return best
