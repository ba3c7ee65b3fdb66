"""The U-Net, defined once: its specs for each cure of odd sizes, and its plan.

A U-Net pools by 2 at every level and concatenates each decoder map with the
encoder map of its level (the skip), so both must have the same H and W; an odd
size loses a pixel to floor(n / 2) and the skip no longer fits. `unet_specs` writes
the network as specs, with or without a cure: `helpers.models.unet` builds exactly
these layers in Keras (plus its 1x1 head). `unet_plan` traces them on a square input
and reads each level's sizes and verdict: what the U-Net explorer draws.

>>> [row.output_shape[0] for row in trace((75, 75, 3), unet_specs(2, cure="crop"))]
[75, 37, 37, 18, 18, 36, 36, 36, 72, 72, 72]
>>> plan = unet_plan(depth=2, size=75)
>>> plan.downs, plan.ups, plan.joins, plan.works
((75, 37), (None, 36), ('unreached', 'fail'), False)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from .arithmetic import ShapeError
from .decoder import pad_to_valid
from .landing import land_pair
from .layers import Conv2D, Conv2DTranspose, MaxPooling2D
from .sizing import Concatenate
from .spec import Layer, as_shape, edges
from .trace import TraceRow, trace, trace_until

__all__ = ["CURES", "unet_specs", "UNetPlan", "unet_plan"]

CURES = {"none": "none", "pad": "pad input", "crop": "crop skips",
         "output_padding": "output_padding"}  # cure (models.unet's odd_sizes) -> its label
_UP = ((2, 2), (2, 2))  # the up-step's (kernel_size, strides), preferred when landing


def _input_hw(input_hw: tuple | None, cure: str) -> tuple[int, int]:
    if input_hw is None:
        raise ShapeError(f"cure={cure!r} depends on the input's size: pass input_hw=(H, W), "
                         "e.g. unet_specs(2, cure='pad', input_hw=(75, 75)).")
    try:
        return as_shape(input_hw)[:2]
    except ShapeError:
        raise ShapeError(f"input_hw={input_hw!r} must be (H, W) with positive ints, e.g. "
                         "input_hw=(75, 75).") from None


def _landed(specs: list[Layer], hw: tuple[int, int]) -> list[Layer]:
    """The specs with each up-step's arguments chosen to land on its skip's size."""
    for k, spec in enumerate(specs):
        if isinstance(spec, Conv2DTranspose):
            before = trace((*hw, 1), specs[:k])  # "same" pooling: the encoder never fails
            skip = next(r for r in before if r.name == f"enc{spec.name[2:]}")
            args = land_pair(before.output_shape[:2], skip.output_shape[:2], prefer=_UP)
            if args is not None:  # else keep 2x2 stride 2: the trace names the failing join
                specs[k] = Conv2DTranspose(spec.filters, **args, name=spec.name)
    return specs


def unet_specs(depth: int, filters: int = 8, cure: str = "none",
               input_hw: tuple[int, int] | None = None) -> list[Layer]:
    """The U-Net as specs: per level a 3x3 Conv2D (named enc0, enc1, ...: the skips) and
    MaxPooling2D(2); a 3x3 Conv2D "bottom"; per level, deepest first, a 2x2 stride-2
    Conv2DTranspose (up1, up0), the Concatenate with its skip (join1, join0) and a 3x3
    Conv2D (dec1, dec0). Filters double at every level down from `filters`.

    cure (for sizes that are not multiples of 2 ** depth; see CURES):
    "none"; "pad": ZeroPadding2D "pad_input" first, up to the least size that works
    (shapes.pad_to_valid), and Cropping2D "crop_back" last; "crop": each skip cropped
    at the bottom/right to its upsampled map (the output is smaller than the input);
    "output_padding": pooling with padding="same", and each up-step landing exactly on
    its skip (shapes.land_pair). "pad" and "output_padding" need input_hw=(H, W).

    >>> from helpers.shapes import layer_names
    >>> layer_names(unet_specs(1))
    ['enc0', 'max_pooling2d', 'bottom', 'up0', 'join0', 'dec0']
    >>> trace((75, 75, 3), unet_specs(2, cure="pad", input_hw=(75, 75))).output_shape
    (75, 75, 8)
    """
    if cure not in CURES:
        raise ShapeError(f"cure={cure!r} is not a cure: use one of {list(CURES)}.")
    for name, value in (("depth", depth), ("filters", filters)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ShapeError(f"{name}={value!r} must be an int >= 1, e.g. {name}=2.")
    pool = "same" if cure == "output_padding" else "valid"
    specs: list[Layer] = []
    for i in range(depth):
        specs += [Conv2D(filters * 2 ** i, 3, padding="same", name=f"enc{i}"),
                  MaxPooling2D(2, padding=pool)]
    specs.append(Conv2D(filters * 2 ** depth, 3, padding="same", name="bottom"))
    for i in reversed(range(depth)):
        f = filters * 2 ** i
        specs += [Conv2DTranspose(f, 2, strides=2, name=f"up{i}"),
                  Concatenate(skip=f"enc{i}", name=f"join{i}", crop_skip=cure == "crop"),
                  Conv2D(f, 3, padding="same", name=f"dec{i}")]
    if cure == "pad":
        plan = pad_to_valid(_input_hw(input_hw, cure), specs)
        return [replace(plan.pad(), name="pad_input"), *specs,
                replace(plan.crop(), name="crop_back")]
    if cure == "output_padding":
        return _landed(specs, _input_hw(input_hw, cure))
    return specs


@dataclass(frozen=True)
class UNetPlan:
    """Every size of a square U-Net: skips (downs), upsampled maps (ups), verdict."""

    depth: int
    size: int
    cure: str
    padded: int  # the size the encoder sees (size + padding for cure="pad")
    padding: tuple[int, int]  # (top/left, bottom/right) added by cure="pad"
    downs: tuple[int, ...]  # the encoder map (the skip) at each level, top first
    bottom: int | None
    ups: tuple[int | None, ...]  # the decoder map before each level's Concatenate
    joins: tuple[str, ...]  # per level: "ok", "crop", "fail" or "unreached"
    output: int | None  # the output size, None when the model does not build
    error: str = ""

    @property
    def builds(self) -> bool:
        """True when Keras can build this U-Net at this size."""
        return not self.error

    @property
    def works(self) -> bool:
        """True when it builds and its output is the input's size (the loss can compare)."""
        return self.builds and self.output == self.size


def _join(row: TraceRow | None, failed: bool) -> str:
    """A level's verdict from its Concatenate's row: "ok", "crop", "fail" or "unreached"."""
    if row is None:
        return "fail" if failed else "unreached"
    map_shape, skip_shape = row.input_shape
    return "ok" if map_shape[:2] == skip_shape[:2] else "crop"


@lru_cache(maxsize=512)
def unet_plan(depth: int, size: int, cure: str = "none") -> UNetPlan:
    """The UNetPlan of unet_specs(depth, cure=cure) on a size x size input, read from its
    trace (never a traceback: a size that fails gives a plan whose `error` says why).

    >>> unet_plan(2, 75, "crop").output, unet_plan(2, 75, "pad").padded
    (72, 76)
    >>> unet_plan(2, 75, "output_padding").output
    75
    """
    if cure not in CURES:
        raise ShapeError(f"cure={cure!r} is not a cure: use one of {list(CURES)}.")
    if not all(isinstance(v, int) and v >= 1 for v in (depth, size)):
        raise ShapeError(f"depth={depth!r}, size={size!r}: both must be ints >= 1, e.g. 2, 75.")
    specs = unet_specs(depth, cure=cure, input_hw=(size, size))
    done, error = trace_until((size, size, 1), specs)
    rows = {r.name: r for r in done}
    failed = specs[len(done)].name if error else None
    padding = edges("padding", specs[0].padding)[0] if cure == "pad" else (0, 0)
    downs = tuple(rows[f"enc{i}"].output_shape[0] for i in range(depth) if f"enc{i}" in rows)
    ups = tuple(rows[f"up{i}"].output_shape[0] if f"up{i}" in rows else None
                for i in range(depth))
    joins = tuple(_join(rows.get(f"join{i}"), failed == f"join{i}") for i in range(depth))
    message = "" if error is None else f"level {failed[4:]}: {error}" if "fail" in joins else (
        f"size {size} is too small for depth {depth}: level {len(downs) - 1} has a "
        f"{downs[-1]}x{downs[-1]} map and MaxPooling2D(2) leaves nothing of it. Use a larger "
        f"input (at least {2 ** depth}) or a smaller depth.")
    padded = rows["pad_input"].output_shape[0] if "pad_input" in rows else size
    return UNetPlan(depth, size, cure, padded, padding, downs,
                    rows["bottom"].output_shape[0] if "bottom" in rows else None, ups, joins,
                    None if error else done.output_shape[0], message)
