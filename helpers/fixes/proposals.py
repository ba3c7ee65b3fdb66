"""How each strategy proposes itself for two sizes: parameters, cost and reason, its
layers as specs, and its target transform. helpers.fixes.strategies names them.

>>> [p.params["mode"] for p in pad_output((61, 61), (64, 64), ("zeros", "reflect"))]
['zeros', 'reflect']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from helpers.data import downsample
from helpers.shapes import (
    Conv2DTranspose,
    Cropping2D,
    Layer,
    ReflectPadding2D,
    UpSampling2D,
    ZeroPadding2D,
    centred_edges,
    land_pair,
    size_text,
)

HW = tuple[int, int]
Edges = tuple[tuple[int, int], tuple[int, int]]


__all__ = ["Cost", "Proposal"]  # and one proposal, layers and retarget function per strategy


@dataclass(frozen=True)
class Cost:
    """What a fix costs, in pixels of one image (per channel) and parameters."""

    output_pixels_discarded: int = 0  # predictions cropped away
    pixels_invented: int = 0  # output pixels made up by padding
    target_pixels_lost: int = 0  # target pixels cropped away: never predicted
    target_pixels_merged: int = 0  # target pixels averaged into coarser ones (still seen)
    resolution_factor: float = 1.0  # how much coarser the loss sees the target
    interpolated: bool = False  # values resampled by interpolation
    learned: bool = False  # adds trainable parameters (see Fix.extra_params)
    params_delta: int = 0  # parameters an edit of the model adds (> 0) or removes (< 0)
    misaligned: bool = False  # output pixels no longer sit over the same place in the target


@dataclass(frozen=True)
class Proposal:
    """One candidate of a strategy for two sizes: its parameters, cost and reason."""

    params: dict
    cost: Cost
    reason: str


def _say(edges: Edges) -> str:
    (t, b), (left, r) = edges
    return f"top {t}, bottom {b}, left {left}, right {r}"


def _grows(o: HW, t: HW) -> bool:
    return all(t[a] >= o[a] for a in (0, 1)) and o != t


def _shrinks(o: HW, t: HW) -> bool:
    return all(t[a] <= o[a] for a in (0, 1)) and o != t


def _area(hw: HW) -> int:
    return hw[0] * hw[1]


STRIDED = ("{o} is {f}x smaller than {t}: a strided output is the whole image at lower "
           "resolution (a stride-2 output is the whole image at half resolution, not its "
           "centre), so {what} compares pixels that do not correspond")


def _strided(small: HW, big: HW) -> int:
    """The whole factor (>= 2) by which `small` is coarser than `big`, else 0."""
    f = min(big[a] // small[a] for a in (0, 1))
    return f if f >= 2 else 0


def _not_centre(o: HW, t: HW, f: int | None, what: str) -> str:
    """Why `what` does not correspond when the output is the target shrunk by f ('' if not)."""
    return "; " + STRIDED.format(o=size_text(o), t=size_text(t), f=f, what=what) if f else ""


def _split_edges(have: HW, want: HW) -> tuple[Edges, Edges]:
    """(cropping, padding) that take `have` to `want` centred: crop the axes that are too
    long, pad those that are too short."""
    e = centred_edges(have, want)
    return (tuple(e[a] if have[a] > want[a] else (0, 0) for a in (0, 1)),
            tuple(e[a] if have[a] < want[a] else (0, 0) for a in (0, 1)))


def resample_layers(p: dict, o: HW, t: HW, channels: int) -> list[Layer]:
    """UpSampling2D, Cropping2D and padding, in that order, for those the params name."""
    layers: list[Layer] = []
    if "size" in p:
        layers.append(UpSampling2D(p["size"], p["interpolation"]))
    if p.get("cropping"):
        layers.append(Cropping2D(p["cropping"]))
    if p.get("padding"):
        pad = ReflectPadding2D if p.get("mode") == "reflect" else ZeroPadding2D
        layers.append(pad(p["padding"]))
    return layers


def crop_output(o: HW, t: HW, variants: Sequence[str] = ()) -> list[Proposal]:
    if not _shrinks(o, t):
        return []
    edges, n, f = centred_edges(o, t), _area(o) - _area(t), _strided(t, o)
    why = (f"; the output is {f}x larger than the target: it is the whole image upsampled, "
           "so its centre crop does not correspond to the target") if f else ""
    return [Proposal({"cropping": edges}, Cost(output_pixels_discarded=n, misaligned=bool(f)),
                     f"crops {n} predicted border pixels ({_say(edges)}); nothing invented, "
                     "no parameters, but the border is never trained" + why)]


def pad_output(o: HW, t: HW, variants: Sequence[str] = ()) -> list[Proposal]:
    if not _grows(o, t):
        return []
    edges, n, f = centred_edges(o, t), _area(t) - _area(o), _strided(o, t)
    why = _not_centre(o, t, f, "padding it to the target's size")
    return [Proposal({"padding": edges, "mode": mode}, Cost(pixels_invented=n, misaligned=bool(f)),
                     f"pads {n} pixels ({_say(edges)}) with {mode}; the loss compares made-up "
                     "border pixels with real ones, so mask them or expect border artifacts"
                     + why)
            for mode in variants]


def crop_pad_output(o: HW, t: HW, variants: Sequence[str] = ()) -> list[Proposal]:
    if o == t or _grows(o, t) or _shrinks(o, t):
        return []
    crop, pad = _split_edges(o, t)
    kept = min(o[0], t[0]) * min(o[1], t[1])
    return [Proposal({"cropping": crop, "padding": pad, "mode": "zeros"},
                     Cost(output_pixels_discarded=_area(o) - kept, pixels_invented=_area(t) - kept),
                     "crops the axis that is too long and zero-pads the one that is too short")]


def upsample_output(o: HW, t: HW, variants: Sequence[str] = ()) -> list[Proposal]:
    if not _grows(o, t) or max(t[a] / o[a] for a in (0, 1)) < 2:
        return []
    size = tuple(
        min((max(1, t[a] // o[a]), -(-t[a] // o[a])), key=lambda f: (abs(o[a] * f - t[a]), -f))
        for a in (0, 1))
    up = (o[0] * size[0], o[1] * size[1])
    crop, pad = _split_edges(up, t)
    cropped, padded = any(map(any, crop)), any(map(any, pad))
    rest = centred_edges(up, t)
    cost = Cost(output_pixels_discarded=max(_area(up) - _area(t), 0) if cropped else 0,
                pixels_invented=_area(t) - _area(up) if padded else 0, interpolated=True)
    return [Proposal(
        {"size": size, "interpolation": interp, "cropping": crop if cropped else None,
         "padding": pad if padded else None}, cost,
        f"UpSampling2D x{size[0] if size[0] == size[1] else size} ({interp}) to {up[0]}x{up[1]}"
        + (f", then {_say(rest)} to land on {t[0]}x{t[1]}" if up != t else "")
        + ("; smooth, no parameters" if interp == "bilinear" else "; blocky, no parameters"))
        for interp in variants]


def transposed_conv(o: HW, t: HW, variants: Sequence[str] = ()) -> list[Proposal]:
    deconv = land_pair(o, t) if _grows(o, t) else None
    if not deconv:
        return []
    k, s = deconv["kernel_size"], deconv["strides"]
    checker = any(k[a] % s[a] for a in (0, 1))
    return [Proposal(deconv, Cost(learned=True),
                     f"one Conv2DTranspose(kernel_size={k}, strides={s}, padding="
                     f"'{deconv['padding']}', output_padding={deconv['output_padding']}) lands "
                     "exactly and learns the upsampling"
                     + ("; kernel not divisible by stride: watch for checkerboard artifacts"
                        if checker else ""))]


def transposed_layers(p: dict, o: HW, t: HW, channels: int) -> list[Layer]:
    return [Conv2DTranspose(channels, p["kernel_size"], p["strides"], p["padding"],
                            p["output_padding"])]


def resize_output(o: HW, t: HW, variants: Sequence[str] = ()) -> list[Proposal]:
    return [Proposal({"height": t[0], "width": t[1]}, Cost(interpolated=True),
                     f"bilinear resize {o[0]}x{o[1]} -> {t[0]}x{t[1]}: always fits, but every "
                     "pixel is resampled on a non-integer grid")]


def crop_target(o: HW, t: HW, variants: Sequence[str] = ()) -> list[Proposal]:
    if not _grows(o, t):
        return []
    edges, n, f = centred_edges(o, t), _area(t) - _area(o), _strided(o, t)
    why = _not_centre(o, t, f, "cropping the target's centre")
    return [Proposal({"cropping": edges}, Cost(target_pixels_lost=n, misaligned=bool(f)),
                     f"crops the target's border ({_say(edges)}): {n} target pixels are never "
                     "predicted" + why)]


def crop_targets(y: np.ndarray, p: dict, o: HW, masks: bool) -> np.ndarray:
    (t, _), (left, _) = p["cropping"]
    return y[:, t : t + o[0], left : left + o[1]]


def downsample_targets(y: np.ndarray, p: dict, o: HW, masks: bool) -> np.ndarray:
    return downsample(y, p["factor"][0], "mode" if masks else "area")


def resize_targets(y: np.ndarray, p: dict, o: HW, masks: bool) -> np.ndarray:
    import keras

    squeeze = y.ndim == 3
    x = y[..., None] if squeeze else y
    method = "nearest" if masks else p["interpolation"]
    out = keras.ops.convert_to_numpy(keras.ops.image.resize(x, o, method))
    out = out.astype(y.dtype) if masks else out
    return out[..., 0] if squeeze else out


def _factor(o: HW, t: HW) -> int | None:
    """The whole factor f >= 2 with t == f * o on both axes, if there is one."""
    f = (t[0] // o[0], t[1] // o[1])
    return f[0] if f[0] == f[1] >= 2 and (o[0] * f[0], o[1] * f[1]) == t else None


def downsample_target(o: HW, t: HW, variants: Sequence[str] = ()) -> list[Proposal]:
    f = _factor(o, t) if _grows(o, t) else None
    if f is None:
        return []
    return [Proposal({"factor": (f, f)}, Cost(target_pixels_merged=_area(t) - _area(o),
                                              resolution_factor=float(f)),
                     f"averages {f}x{f} blocks of the target (class masks: majority vote): "
                     f"the loss sees {f}x coarser detail")]


def resize_target(o: HW, t: HW, variants: Sequence[str] = ()) -> list[Proposal]:
    if not _grows(o, t) or _factor(o, t) is not None:
        return []
    return [Proposal({"interpolation": "bilinear"},
                     Cost(target_pixels_lost=_area(t) - _area(o),
                          resolution_factor=max(t[0] / o[0], t[1] / o[1]), interpolated=True),
                     f"resizes the target to {o[0]}x{o[1]} (masks: nearest, never interpolated); "
                     "detail is lost and the grid is not aligned")]
