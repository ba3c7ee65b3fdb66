"""Fixes that edit the model itself, proposed from its specs (pure: no Keras).

`edit_layer` changes one layer's padding, strides, kernel/pool size or output_padding;
`input_size` pads the input to a size the network survives and crops the output back;
`crop_skips` crops every skip at the bottom/right, as the original U-Net did. Each
proposal lands exactly (checked with `trace`) and says what it costs; helpers.fixes
.strategies names them, `Fix.apply` rebuilds the Keras model (helpers.bridge.rebuild).

>>> specs = [Conv2D(8, 3, padding="same", name="c1"), Conv2D(8, 3, name="c2"),
...          Conv2D(1, 3, padding="same", name="c3")]
>>> p = edit_layer(specs, (32, 32, 1), (32, 32))[0]
>>> p.params["before"], p.params["after"]
("Conv2D(8, 3, padding='valid')", "Conv2D(8, 3, padding='same')")
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from helpers.shapes import (
    Concatenate,
    Conv2D,
    Conv2DTranspose,
    DepthwiseConv2D,
    Layer,
    MaxPooling2D,
    Shape,
    ShapeError,
    pad_to_valid,
    pair,
    trace,
    valid_input_sizes,
)

from .proposals import Cost, Proposal

__all__ = ["edit_layer", "same_padding", "input_size", "crop_skips", "keras_line",
           "crop_skip_targets"]

HW = tuple[int, int]
LANDS = "lands exactly; each output pixel still sits over its own place in the target"


def _out(specs: Sequence[Layer], shape: Shape) -> HW | None:
    try:
        return trace(shape, specs).output_shape[:2]
    except ShapeError:
        return None


def _short(value: object) -> str:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == value[1] \
            and not isinstance(value[0], tuple):
        return repr(value[0])
    return repr(value)


def _norm(key: str, value: object) -> object:
    return pair(key, value) if isinstance(value, (int, tuple)) and key != "padding" else value


def keras_line(spec: Layer) -> str:
    """The Keras 3 line of a conv, pooling or transposed-conv spec: defaults left out, but
    the padding always said.

    >>> keras_line(Conv2DTranspose(4, 2, strides=2, output_padding=(1, 1)))
    "Conv2DTranspose(4, 2, strides=2, padding='valid', output_padding=1)"
    """
    defaults = type(spec)(**({"filters": 1} if hasattr(spec, "filters") else {}))
    first = []
    if hasattr(spec, "filters"):
        first.append(repr(spec.filters))
    size = "pool_size" if isinstance(spec, MaxPooling2D) else "kernel_size"
    first.append(_short(pair(size, getattr(spec, size))))
    rest = []
    for key in ("strides", "padding", "output_padding", "dilation_rate", "depth_multiplier"):
        if not hasattr(spec, key):
            continue
        value, default = getattr(spec, key), getattr(defaults, key)
        if key == "strides" and isinstance(spec, MaxPooling2D) and value is not None \
                and pair(key, value) == pair(size, getattr(spec, size)):
            continue
        if key == "padding" or _norm(key, value) != _norm(key, default):
            rest.append(f"{key}={_short(_norm(key, value))}")
    return f"{spec.kind}({', '.join(first + rest)})"


def _alternatives(spec: Layer) -> list[dict]:
    """Nearby configurations of one layer: Keras's own keys and values."""
    if getattr(spec, "padding", None) not in ("valid", "same"):
        return []
    flip = {"padding": "same" if spec.padding == "valid" else "valid"}
    if isinstance(spec, Conv2DTranspose):
        s = pair("strides", spec.strides)
        k = pair("kernel_size", spec.kernel_size)
        out = [flip] + [{"output_padding": (a, b)} for a in range(s[0]) for b in range(s[1])]
        out += [{"kernel_size": (k[0] + d, k[1] + d), "output_padding": None}
                for d in (-1, 1, 2) if k[0] + d >= 1 and k[1] + d >= 1]
        return out
    if isinstance(spec, (Conv2D, DepthwiseConv2D)):
        k, s = pair("kernel_size", spec.kernel_size), pair("strides", spec.strides)
        out = [flip] + [{"kernel_size": (k[0] + d, k[1] + d)}
                        for d in (-2, -1, 1, 2) if min(k) + d >= 1]
        if max(s) > 1:  # stop downsampling here: off by a factor, change the architecture
            return [*out, {"strides": (1, 1)}, {"strides": (1, 1), "padding": "same"}]
        return [*out, {"strides": (2, 2)}]
    if isinstance(spec, MaxPooling2D):
        p = pair("pool_size", spec.pool_size)
        s = p if spec.strides is None else pair("strides", spec.strides)
        return [flip] + [{"pool_size": (p[0] + d, p[1] + d), "strides": s}
                         for d in (-1, 1) if min(p) + d >= 1] \
            + [{"strides": (1, 1), "padding": "same"}]  # a pool that no longer downsamples
    return []


def _kernel_weights(spec: Layer, channels_in: int) -> int:
    k = pair("kernel_size", spec.kernel_size)
    if isinstance(spec, DepthwiseConv2D):
        return k[0] * k[1] * channels_in * spec.depth_multiplier
    if type(spec).__name__ == "SeparableConv2D":
        return k[0] * k[1] * channels_in
    return k[0] * k[1] * channels_in * spec.filters


def _edit_reason(name: str, spec: Layer, changes: dict, delta: int) -> str:
    what = ", ".join(f"{k}={_short(v)}" for k, v in changes.items()
                     if v is not None and not (k == "strides" and "pool_size" in changes))
    cost = (f"adds {delta} parameters" if delta > 0 else f"removes {-delta} parameters"
            if delta < 0 else "no parameters added or removed")
    kept = "" if delta == 0 else f" (layer '{name}' starts again from new weights)"
    if changes.get("strides") == (1, 1) and max(pair("strides", spec.strides or 2)) > 1:
        kept += ("; it stops downsampling there: full resolution from that layer on (more "
                 "computation, a smaller receptive field)")
    return f"set {what} on layer '{name}': {cost}{kept}; {LANDS}"


def edit_layer(specs: Sequence[Layer], input_shape: Shape, t: HW) -> list[Proposal]:
    """One layer's configuration changed so that the network lands exactly on t."""
    specs, found = list(specs), []
    for i, spec in enumerate(specs):
        if not getattr(spec, "name", None):
            continue
        for changes in _alternatives(spec):
            new = replace(spec, **changes)
            edited = [*specs[:i], new, *specs[i + 1:]]
            if _out(edited, input_shape) != t:
                continue
            channels = trace(input_shape, edited).rows[i].input_shape[2]
            delta = 0
            if "kernel_size" in changes and not isinstance(spec, MaxPooling2D):
                delta = _kernel_weights(new, channels) - _kernel_weights(spec, channels)
            params = {"edits": {spec.name: changes}, "layer": spec.name,
                      "before": keras_line(spec), "after": keras_line(new),
                      "input_shape": tuple(input_shape)}
            found.append(Proposal(params, Cost(params_delta=delta),
                                  _edit_reason(spec.name, spec, changes, delta)))
    return found


def same_padding(specs: Sequence[Layer], input_shape: Shape, t: HW) -> list[Proposal]:
    """padding='same' on every 'valid' layer with a window wider than one pixel, when that
    takes two or more edits (one layer's padding is edit_layer's) and lands exactly."""
    specs = list(specs)
    valid = [i for i, s in enumerate(specs) if getattr(s, "padding", None) == "valid"
             and getattr(s, "name", None) and not isinstance(s, Conv2DTranspose)
             and max(pair("size", getattr(s, "pool_size", getattr(s, "kernel_size", 1)))) > 1]
    edited = [replace(s, padding="same") if i in valid else s for i, s in enumerate(specs)]
    if len(valid) < 2 or _out(edited, input_shape) != t:
        return []
    names = [specs[i].name for i in valid]
    params = {"edits": {n: {"padding": "same"} for n in names},
              "before": "; ".join(keras_line(specs[i]) for i in valid),
              "after": "; ".join(keras_line(edited[i]) for i in valid),
              "input_shape": tuple(input_shape)}
    return [Proposal(params, Cost(),
                     f"set padding='same' on the {len(names)} 'valid' layers ({', '.join(names)})"
                     f": no parameters added or removed, every weight kept; {LANDS}")]


def input_size(specs: Sequence[Layer], input_shape: Shape, t: HW) -> list[Proposal]:
    """Zero-pad the input to the nearest size the network survives, crop the output back."""
    hw = tuple(input_shape[:2])
    if hw != tuple(t):
        return []
    try:
        plan = pad_to_valid(hw, list(specs), limit=max(hw) + 64)
    except ShapeError:
        return []
    if plan.padded_hw == hw:
        return []
    (ph, pw), area = plan.padded_hw, t[0] * t[1]
    near = ""
    if hw[0] == hw[1]:
        sizes = valid_input_sizes(list(specs), max(1, hw[0] - 16), hw[0] + 16)
        near = f" (square sizes that work near {hw[0]}: {sizes})" if sizes else ""
    params = {"edits": {}, "pad": plan.padding, "crop": plan.padding, "padded_hw": (ph, pw),
              "before": f"keras.Input(({hw[0]}, {hw[1]}, {input_shape[2]}))",
              "after": f"keras.layers.ZeroPadding2D({plan.padding}) after the input, "
                       f"keras.layers.Cropping2D({plan.padding}) after the last layer",
              "input_shape": tuple(input_shape)}
    return [Proposal(params, Cost(output_pixels_discarded=ph * pw - area),
                     f"feed {ph}x{pw} instead of {hw[0]}x{hw[1]}{near}: zero-pad the input "
                     f"by {plan.padding} and crop the output back; no parameters, "
                     f"{ph * pw - area} predictions of the padding are cropped away; {LANDS}")]


def crop_skips(specs: Sequence[Layer], input_shape: Shape, t: HW) -> list[Proposal]:
    """Crop every skip at the bottom/right to the running map; crop the target likewise."""
    if not any(isinstance(s, Concatenate) and s.name for s in specs):
        return []
    edited = [replace(s, crop_skip=True) if isinstance(s, Concatenate) else s for s in specs]
    o = _out(edited, input_shape)
    if o is None or o == _out(specs, input_shape) or o[0] > t[0] or o[1] > t[1]:
        return []
    cut = {s.name: (s.skip, s.skip_cropping(*row.input_shape))
           for s, row in zip(edited, trace(input_shape, edited).rows)
           if isinstance(s, Concatenate) and s.skip_cropping(*row.input_shape) != ((0, 0),) * 2}
    lost = t[0] * t[1] - o[0] * o[1]
    cropping = ((0, t[0] - o[0]), (0, t[1] - o[1]))
    params = {"edits": {}, "cropped_skips": tuple(cut), "output_hw": o,
              "target_cropping": cropping, "input_shape": tuple(input_shape),
              "before": "; ".join(f"Concatenate()([x, {skip}])" for skip, _ in cut.values()),
              "after": "; ".join(f"Concatenate()([x, Cropping2D({c})({skip})])"
                                 for skip, c in cut.values())}
    target = (f", and the target's bottom/right {cropping} ({lost} target pixels never "
              "predicted)") if lost else ""
    return [Proposal(params, Cost(target_pixels_lost=lost),
                     f"crop the skip at the bottom/right to the upsampled map in "
                     f"{', '.join(cut)} as the original U-Net did{target}; no parameters; the "
                     "output's top-left pixel stays over the target's, so every pixel "
                     "corresponds")]


def crop_skip_targets(y: np.ndarray, p: dict, o: HW, masks: bool) -> np.ndarray:
    """The target's top-left part the skip-cropped model predicts."""
    h, w = p["output_hw"]
    return y[:, :h, :w]
