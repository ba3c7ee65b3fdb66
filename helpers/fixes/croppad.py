"""crop_pad(): where an output meets a target by cropping the target, padding the output
or cropping the output, at a chosen offset (centred by default).

The crop and pad amounts of the crop/pad explorer and its picture; the advisor's
centred fixes are the same edges (`helpers.shapes.centred_edges`).

>>> crop_pad((61, 61), (64, 64)).layer
'Cropping2D(((1, 2), (1, 2)))'
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.shapes import ShapeError, centred_split

from .strategies import CROP_OUTPUT, CROP_TARGET, PAD_OUTPUT

__all__ = ["MODES", "FILLS", "CropPad", "crop_pad"]

MODES = {way.name: way for way in (CROP_TARGET, PAD_OUTPUT, CROP_OUTPUT)}  # the strategies shown
FILLS = PAD_OUTPUT.variants  # what padding fills the border with
HW = tuple[int, int]


@dataclass(frozen=True)
class CropPad:
    """One crop or pad: the sizes, the mode (a strategy's name), the
    ((top, bottom), (left, right)) edges and the padding's fill.

    >>> plan = crop_pad((61, 61), (64, 64), "pad_output")
    >>> plan.applies_to, plan.invented, plan.ignored
    ('output', 375, 0)
    """

    output_hw: HW
    target_hw: HW
    mode: str
    edges: tuple[tuple[int, int], tuple[int, int]]
    fill: str = FILLS[0]

    @property
    def layer(self) -> str:
        """The layer, as code: Cropping2D / ZeroPadding2D from keras.layers, or
        helpers.shapes.ReflectPadding2D (Keras has no reflect layer)."""
        way = MODES[self.mode]
        params = {"cropping": self.edges} if way is not PAD_OUTPUT else \
            {"padding": self.edges, "mode": self.fill}
        spec = way.layers(params, self.output_hw, self.target_hw, 1)[0]
        return f"{spec.kind}({self.edges})"

    @property
    def applies_to(self) -> str:
        """"targets" (crop them before the loss) or "output" (append to the model)."""
        return "targets" if MODES[self.mode].side == "target" else "output"

    @property
    def gap(self) -> int:
        """Pixels between the two sizes: cropped away, or invented by padding."""
        (oh, ow), (th, tw) = self.output_hw, self.target_hw
        return abs(th * tw - oh * ow)

    @property
    def ignored(self) -> int:
        """Target pixels the loss never sees (only cropping the target hides any)."""
        return self.gap if self.mode == CROP_TARGET.name else 0

    @property
    def region(self) -> str:
        """What the pixels outside the compared window are: "ignored" target pixels,
        "zeros" or "reflect" (pixels the padding invents) or "discarded" predictions."""
        way = MODES[self.mode]
        return {CROP_TARGET: "ignored", PAD_OUTPUT: self.fill, CROP_OUTPUT: "discarded"}[way]

    @property
    def label(self) -> str:
        """The strategy as a learner reads it, with the padding's fill."""
        return MODES[self.mode].label + (f" ({self.fill})" if MODES[self.mode] is PAD_OUTPUT
                                          else "")

    @property
    def invented(self) -> int:
        """Output pixels made up by padding (compared with real target pixels)."""
        return self.gap if self.mode == PAD_OUTPUT.name else 0

    @property
    def discarded(self) -> int:
        """Predictions cropped away (never trained)."""
        return self.gap if self.mode == CROP_OUTPUT.name else 0


def _split(name: str, d: int, offset: int | None) -> tuple[int, int]:
    if offset is None:
        offset = centred_split(d)[0]  # the odd pixel at the bottom/right, as CenterCrop does
    if isinstance(offset, bool) or not isinstance(offset, int) or not 0 <= offset <= d:
        raise ShapeError(f"{name}={offset!r}: there are {d} pixels to split on this axis, so "
                         f"{name} must be a whole number from 0 to {d} (centred: {d // 2}).")
    return offset, d - offset


def crop_pad(output_hw: HW, target_hw: HW, mode: str = CROP_TARGET.name,
             top: int | None = None, left: int | None = None, fill: str = FILLS[0]) -> CropPad:
    """The CropPad that meets output and target in `mode`; top/left default to centred.

    Raises ShapeError (with what to do instead) when the mode cannot meet the sizes.

    >>> crop_pad((61, 61), (64, 64)).layer
    'Cropping2D(((1, 2), (1, 2)))'
    >>> crop_pad((61, 61), (64, 64), "pad_output", top=0, fill="reflect").layer
    'ReflectPadding2D(((0, 3), (1, 2)))'
    """
    if mode not in MODES:
        raise ShapeError(f"mode={mode!r} is not a mode; use one of {list(MODES)}.")
    if fill not in FILLS:
        raise ShapeError(f"fill={fill!r} is not a padding fill; use one of {list(FILLS)}.")
    (oh, ow), (th, tw) = output_hw, target_hw
    crop_out = mode == CROP_OUTPUT.name
    small, big = (target_hw, output_hw) if crop_out else (output_hw, target_hw)
    smaller = "target" if crop_out else "output"
    instead = f"{CROP_TARGET.label} or {PAD_OUTPUT.label}" if crop_out else CROP_OUTPUT.label
    for axis, o, t in (("H", oh, th), ("W", ow, tw)):
        if (o < t) if crop_out else (o > t):
            raise ShapeError(f"'{MODES[mode].label}' needs the {smaller} to be the smaller one, "
                             f"but "
                             f"on {axis} the output is {o} and the target {t}: {instead} "
                             "instead.")
    edges = (_split("top", big[0] - small[0], top), _split("left", big[1] - small[1], left))
    if mode == PAD_OUTPUT.name and fill == "reflect":
        for axis, n, (a, b) in zip("HW", output_hw, edges):
            if max(a, b) > n - 1:
                raise ShapeError(f"reflect padding adds {max(a, b)} pixels on one side of {axis}, "
                                 f"but a mirror of {n} pixels can add at most {n - 1}: pad with "
                                 "zeros, or make the output larger first.")
    return CropPad(tuple(output_hw), tuple(target_hw), mode, edges, fill)
