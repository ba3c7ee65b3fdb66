"""Which target pixel each output pixel is compared with, and where it really looks.

The principle of the lab: **output and target must correspond pixel for pixel.** An
element-wise loss compares output pixel i with target pixel i; that is only right if
pixel i's window (its receptive field) is centred on target pixel i. Along one axis:

- a "valid" 3x3 conv's pixel i is centred on input pixel i + 1: crop 1 pixel off each
  side of the target and they line up again (off by a few pixels: crop or pad);
- a stride-2 network's pixel i is centred near input pixel 2i: a centre crop of the
  target compares it with pixel i + c, and the error grows across the image (off by a
  factor: upsample the output, pool the target, or change the architecture).

>>> c = correspondence([Conv2D(8, 3, strides=2, padding="same")], 12, crop_target=True)
>>> c.worst, c.holds
(3.0, False)
>>> correspondence([Conv2D(8, 3, strides=2, padding="same")], 12, repeat_output=2).holds
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .arithmetic import ShapeError, centred_split
from .layers import Conv2D  # noqa: F401 - the docstrings' examples use it
from .receptive import receptive_field
from .spec import Layer
from .trace import trace

__all__ = ["Correspondence", "correspondence"]


@dataclass(frozen=True)
class Correspondence:
    """Along one axis, for every pixel the loss compares: the input coordinate its window is
    centred on, the window's reach, and the target coordinate it is compared with."""

    n: int                                   # input (and target) pixels
    output: int                              # the network's own output pixels
    jump: int                                # input pixels between neighbouring outputs
    centres: tuple[float, ...]               # window centre of each compared output pixel
    reach: tuple[tuple[float, float], ...]   # first and last input pixel its window reads
    targets: tuple[float, ...]               # target coordinate it is compared with
    how: str                                 # what was done to make the sizes equal
    repeat: int = 1                          # output pixels repeated (repeat_output)

    @property
    def offsets(self) -> tuple[float, ...]:
        """Window centre minus compared target coordinate, per compared pixel."""
        return tuple(c - t for c, t in zip(self.centres, self.targets))

    @property
    def worst(self) -> float:
        """The largest distance, in input pixels, between a window and its target pixel."""
        return max(abs(o) for o in self.offsets)

    @property
    def tolerance(self) -> float:
        """Half the spacing of the output's pixels (no coarser grid can do better), plus the
        half-width of the block one repeated pixel fills."""
        return max(0.5, self.jump / 2) + (self.repeat - 1) / 2

    @property
    def holds(self) -> bool:
        """True when every compared pair is within the tolerance: they correspond."""
        return self.worst <= self.tolerance

    def __str__(self) -> str:
        verdict = "corresponds" if self.holds else "does not correspond"
        return (f"{self.how}: {len(self.targets)} pixels compared, worst offset "
                f"{self.worst:g} px (tolerance {self.tolerance:g}): {verdict}")

    __repr__ = __str__


def correspondence(layers: Sequence[Layer], n: int, *, crop_target: bool = False,
                   pool_target: int = 1, repeat_output: int = 1) -> Correspondence:
    """Where each compared output pixel looks, and which target pixel the loss gives it.

    `layers` are conv, pooling, crop and pad specs (an encoder); `n` the input's (and the
    target's) size along the axis. Make the sizes equal by at most one of: a centre crop of
    the target (`crop_target`), the target average-pooled by a factor (`pool_target`), the
    output repeated by a factor (`repeat_output`, UpSampling2D's nearest neighbour).

    >>> correspondence([Conv2D(8, 3)], 12, crop_target=True).offsets[:3]
    (0.0, 0.0, 0.0)
    """
    rf = receptive_field(layers, (n, n, 1))[-1]
    m = trace((n, n, 1), layers).output_shape[0]
    size, jump, start = rf.size[0], rf.jump[0], rf.start[0]
    for which, f in (("pool_target", pool_target), ("repeat_output", repeat_output)):
        if not isinstance(f, int) or f < 1:
            raise ShapeError(f"{which}={f!r}: give a whole factor of at least 1, e.g. 2.")
    centres = [start + i * jump for i in range(m) for _ in range(repeat_output)]
    targets: list[float] = [float(t) for t in range(n)]
    how = "as is"
    if repeat_output > 1:
        how = f"output upsampled x{repeat_output}"
    if pool_target > 1:
        targets = [i * pool_target + (pool_target - 1) / 2 for i in range(n // pool_target)]
        how = f"target pooled x{pool_target}"
    if crop_target:
        before, after = centred_split(len(targets) - len(centres)) \
            if len(targets) >= len(centres) else (0, 0)
        targets = targets[before:len(targets) - after]
        how = f"target centre-cropped by {before}+{after}"
    if len(targets) != len(centres):
        raise ShapeError(f"The output has {len(centres)} pixels along this axis and the target "
                         f"{len(targets)} ({how}): nothing to compare pixel by pixel. Use "
                         "crop_target=True, pool_target or repeat_output to make them equal.")
    half = (size - 1) / 2
    return Correspondence(n, m, jump, tuple(centres),
                          tuple((c - half, c + half) for c in centres), tuple(targets), how,
                          repeat_output)
