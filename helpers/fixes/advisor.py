"""suggest(): every way to make an output of one size match a target of another.

Each `Fix` says what it does with exact parameters, what it costs (pixels
thrown away, pixels invented, resolution lost, parameters added), gives its
layers as shape specs (no TensorFlow) or as Keras layers, and applies itself to
a model. Fixes are ranked, cheapest first, each with a one-line reason.

>>> [f.strategy for f in suggest((61, 61), (64, 64))][:4]
['transposed_conv', 'pad_output', 'pad_output', 'resize_output']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from helpers.bridge import keras_layer
from helpers.shapes import (
    AveragePooling2D,
    Conv2DTranspose,
    Cropping2D,
    Layer,
    ReflectPadding2D,
    Resizing,
    ShapeError,
    UpSampling2D,
    ZeroPadding2D,
    centred_edges,
    land_pair,
    trace,
)

__all__ = ["Cost", "Fix", "suggest"]

HW = tuple[int, int]
Edges = tuple[tuple[int, int], tuple[int, int]]


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


@dataclass(frozen=True)
class Fix:
    """One way to make the output size equal the target size."""

    strategy: str
    side: str  # "output": add layers to the model; "target": change the targets
    output_hw: HW
    target_hw: HW
    params: dict = field(hash=False)
    cost: Cost
    reason: str
    score: float = 0.0

    def specs(self, channels: int = 1) -> list[Layer]:
        """The layers as shape specs (no TensorFlow): appended to the model, or, for a
        target-side fix, applied to the targets.

        >>> suggest((60, 60), (64, 64))[1].specs()
        [ZeroPadding2D(padding=((2, 2), (2, 2)), name=None)]
        """
        p = self.params
        if self.strategy == "transposed_conv":
            return [
                Conv2DTranspose(
                    channels, p["kernel_size"], p["strides"], p["padding"], p["output_padding"]
                )
            ]
        if self.strategy == "resize_output":
            return [Resizing(*self.target_hw, interpolation="bilinear")]
        if self.strategy == "resize_target":
            return [Resizing(*self.output_hw, interpolation=p["interpolation"])]
        if self.strategy == "downsample_target":
            return [AveragePooling2D(p["factor"])]
        layers: list[Layer] = []
        if "size" in p:
            layers.append(UpSampling2D(p["size"], p["interpolation"]))
        if p.get("cropping"):
            layers.append(Cropping2D(p["cropping"]))
        if p.get("padding"):
            pad = ReflectPadding2D if p.get("mode") == "reflect" else ZeroPadding2D
            layers.append(pad(p["padding"]))
        return layers

    def extra_params(self, channels: int) -> int:
        """Trainable parameters the fix adds for a model with this many output channels."""
        if self.strategy != "transposed_conv":
            return 0
        kh, kw = self.params["kernel_size"]
        return kh * kw * channels * channels + channels

    def layers(self, channels: int = 1) -> list[Any]:
        """The fix as Keras layers (imports Keras)."""
        return [keras_layer(spec) for spec in self.specs(channels)]

    def apply(self, model: Any) -> Any:
        """A new Keras model whose output is the target size; for a target-side fix,
        the model itself, unchanged (transform the targets with `transform_target`).

        A fix with trainable layers (a transposed conv) after an output activation
        (say a sigmoid, for images in [0, 1]) ends with that activation again, so the
        output keeps its range; logits stay logits."""
        if self.side == "target":
            return model
        import keras

        if len(model.outputs) != 1:
            raise ShapeError(
                f"apply() needs a model with one output; this one has "
                f"{len(model.outputs)}. Apply the fix to the output you compare."
            )
        x = model.outputs[0]
        added = self.layers(int(x.shape[-1]))
        for layer in added:
            x = layer(x)
        activation = keras.activations.serialize(getattr(model.layers[-1], "activation",
                                                         keras.activations.linear))
        if activation not in ("linear", None) and any(layer.trainable_weights for layer in added):
            x = keras.layers.Activation(activation, name="output_activation")(x)
        inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        return keras.Model(inputs, x, name=f"{model.name}_{self.strategy}")

    def transform_target(self, y: np.ndarray, masks: bool = False) -> np.ndarray:
        """Targets (N, H, W[, C]) mapped to the output size; class masks are never averaged.

        >>> suggest((32, 32), (64, 64))[-1].transform_target(np.ones((2, 64, 64, 1))).shape
        (2, 32, 32, 1)
        """
        if self.side != "target":
            return y
        y = np.asarray(y)
        if y.shape[1:3] != self.target_hw:
            raise ShapeError(
                f"y has spatial size {y.shape[1:3]}, but this fix was made for "
                f"targets of {self.target_hw}; call suggest() for your sizes."
            )
        oh, ow = self.output_hw
        if self.strategy == "crop_target":
            (t, _), (left, _) = self.params["cropping"]
            return y[:, t : t + oh, left : left + ow]
        if self.strategy == "downsample_target":
            from helpers.data import downsample

            return downsample(y, self.params["factor"][0], "mode" if masks else "area")
        import keras

        squeeze = y.ndim == 3
        x = y[..., None] if squeeze else y
        method = "nearest" if masks else self.params["interpolation"]
        out = keras.ops.convert_to_numpy(keras.ops.image.resize(x, (oh, ow), method))
        out = out.astype(y.dtype) if masks else out
        return out[..., 0] if squeeze else out

    def __str__(self) -> str:
        layers = ", ".join(_keras_text(s) for s in self.specs())
        where = "append to the model" if self.side == "output" else "apply to the targets"
        return f"{self.strategy}: {where} {layers}. {self.reason}"


def _keras_text(spec: Layer) -> str:
    args = ", ".join(
        f"{k}={v!r}"
        for k, v in spec.__dict__.items()
        if (v is not None or k == "output_padding") and k not in ("name", "filters")
    )
    return f"{spec.kind}({args})"


def _candidates(o: HW, t: HW) -> list[Fix]:
    area_o, area_t = o[0] * o[1], t[0] * t[1]
    grow = all(t[a] >= o[a] for a in (0, 1))
    shrink = all(t[a] <= o[a] for a in (0, 1))
    edges = centred_edges(o, t)
    fixes = []

    def add(strategy: str, side: str, params: dict, cost: Cost, reason: str) -> None:
        fixes.append(Fix(strategy, side, o, t, params, cost, reason))

    if shrink:
        add(
            "crop_output",
            "output",
            {"cropping": edges},
            Cost(output_pixels_discarded=area_o - area_t),
            f"crops {area_o - area_t} predicted border pixels ({_say(edges)}); nothing invented, "
            "no parameters, but the border is never trained",
        )
    elif grow:
        for mode in ("zeros", "reflect"):
            add(
                "pad_output",
                "output",
                {"padding": edges, "mode": mode},
                Cost(pixels_invented=area_t - area_o),
                f"pads {area_t - area_o} pixels ({_say(edges)}) with {mode}; the loss compares "
                "made-up border pixels with real ones, so mask them or expect border artifacts",
            )
    else:
        crop = tuple(edges[a] if o[a] > t[a] else (0, 0) for a in (0, 1))
        pad = tuple(edges[a] if o[a] < t[a] else (0, 0) for a in (0, 1))
        add(
            "crop_pad_output",
            "output",
            {"cropping": crop, "padding": pad, "mode": "zeros"},
            Cost(
                output_pixels_discarded=area_o - min(o[0], t[0]) * min(o[1], t[1]),
                pixels_invented=area_t - min(o[0], t[0]) * min(o[1], t[1]),
            ),
            "crops the axis that is too long and zero-pads the one that is too short",
        )
    if grow and max(t[a] / o[a] for a in (0, 1)) >= 2:
        size = tuple(
            min((max(1, t[a] // o[a]), -(-t[a] // o[a])), key=lambda f: (abs(o[a] * f - t[a]), -f))
            for a in (0, 1)
        )
        up = (o[0] * size[0], o[1] * size[1])
        rest = centred_edges(up, t)
        crop = tuple(rest[a] if up[a] > t[a] else (0, 0) for a in (0, 1))
        pad = tuple(rest[a] if up[a] < t[a] else (0, 0) for a in (0, 1))
        for interp in ("bilinear", "nearest"):
            add(
                "upsample_output",
                "output",
                {
                    "size": size,
                    "interpolation": interp,
                    "cropping": crop if any(map(any, crop)) else None,
                    "padding": pad if any(map(any, pad)) else None,
                },
                Cost(
                    output_pixels_discarded=max(up[0] * up[1] - area_t, 0)
                    if any(map(any, crop))
                    else 0,
                    pixels_invented=area_t - up[0] * up[1] if any(map(any, pad)) else 0,
                    interpolated=True,
                ),
                f"UpSampling2D x{size[0] if size[0] == size[1] else size} ({interp}) to "
                f"{up[0]}x{up[1]}"
                + (f", then {_say(rest)} to land on {t[0]}x{t[1]}" if up != t else "")
                + (
                    "; smooth, no parameters" if interp == "bilinear" else "; blocky, no parameters"
                ),
            )
    deconv = land_pair(o, t) if grow else None
    if deconv:
        k, s = deconv["kernel_size"], deconv["strides"]
        checker = any(k[a] % s[a] for a in (0, 1))
        add(
            "transposed_conv",
            "output",
            deconv,
            Cost(learned=True),
            f"one Conv2DTranspose(kernel_size={k}, strides={s}, padding='{deconv['padding']}', "
            f"output_padding={deconv['output_padding']}) lands exactly and learns the upsampling"
            + (
                "; kernel not divisible by stride: watch for checkerboard artifacts"
                if checker
                else ""
            ),
        )
    add(
        "resize_output",
        "output",
        {"height": t[0], "width": t[1]},
        Cost(interpolated=True),
        f"bilinear resize {o[0]}x{o[1]} -> {t[0]}x{t[1]}: always fits, but every pixel is "
        "resampled on a non-integer grid",
    )
    if grow:
        add(
            "crop_target",
            "target",
            {"cropping": edges},
            Cost(target_pixels_lost=area_t - area_o),
            f"crops the target's border ({_say(edges)}): {area_t - area_o} target pixels are never "
            "predicted",
        )
        f = (t[0] // o[0], t[1] // o[1])
        if f[0] == f[1] >= 2 and (o[0] * f[0], o[1] * f[1]) == t:
            add(
                "downsample_target",
                "target",
                {"factor": f},
                Cost(target_pixels_merged=area_t - area_o, resolution_factor=float(f[0])),
                f"averages {f[0]}x{f[1]} blocks of the target (class masks: majority vote): "
                f"the loss sees {f[0]}x coarser detail",
            )
        elif t != o:
            add(
                "resize_target",
                "target",
                {"interpolation": "bilinear"},
                Cost(
                    target_pixels_lost=area_t - area_o,
                    resolution_factor=max(t[0] / o[0], t[1] / o[1]),
                    interpolated=True,
                ),
                f"resizes the target to {o[0]}x{o[1]} (masks: nearest, never interpolated); "
                "detail is lost and the grid is not aligned",
            )
    return fixes


def _say(edges: Edges) -> str:
    (t, b), (left, r) = edges
    return f"top {t}, bottom {b}, left {left}, right {r}"


def _score(fix: Fix) -> float:
    c, (th, tw) = fix.cost, fix.target_hw
    area = th * tw
    score = (c.output_pixels_discarded + c.pixels_invented + c.target_pixels_lost) / area
    score += 0.25 * math.log2(c.resolution_factor)  # merged detail: coarser, but all seen
    score += {"transposed_conv": 0.01, "upsample_output": 0.02, "resize_output": 0.15}.get(
        fix.strategy, 0.0
    )
    score += 0.02 if fix.params.get("interpolation") == "nearest" else 0.0
    score += 0.01 if fix.params.get("mode") == "reflect" else 0.0
    score += 0.1 if fix.side == "target" else 0.0
    return round(score, 4)


def _lands(fix: Fix) -> bool:
    """The fix's own layers really take its input size to its output size."""
    start, end = (fix.output_hw, fix.target_hw) if fix.side == "output" else \
        (fix.target_hw, fix.output_hw)
    try:
        return trace((*start, 1), fix.specs())[-1].output_shape[:2] == end
    except ShapeError:
        return False


def suggest(output_hw: HW, target_hw: HW) -> list[Fix]:
    """Every applicable fix for an output of output_hw against targets of target_hw, ranked.

    >>> [(f.strategy, f.params.get("interpolation")) for f in suggest((37, 37), (75, 75))[:3]]
    [('transposed_conv', None), ('upsample_output', 'bilinear'), ('upsample_output', 'nearest')]
    """
    o, t = tuple(output_hw), tuple(target_hw)
    for name, hw in (("output_hw", o), ("target_hw", t)):
        if len(hw) != 2 or not all(isinstance(v, int) and v >= 1 for v in hw):
            raise ShapeError(
                f"{name}={hw!r} must be (height, width) with positive ints, "
                "e.g. (61, 61); leave the batch and channel axes out."
            )
    if o == t:
        return []
    fixes = [
        Fix(f.strategy, f.side, o, t, f.params, f.cost, f.reason, _score(f))
        for f in _candidates(o, t)
        if _lands(f)
    ]
    return sorted(fixes, key=lambda f: f.score)
