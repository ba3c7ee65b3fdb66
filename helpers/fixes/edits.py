"""Fixes that edit the model itself, proposed from its layers (pure: no Keras).

The network is a chain of specs or a Keras model's layer graph (helpers.bridge
.graph_plan: skips, residual and attention joins included). `edit_layer` changes one
layer's padding, strides, kernel/pool size or output_padding; `input_size` pads the input
to a size the network survives and crops the output back; `crop_skips` crops the larger
input of every merge at the bottom/right, as the original U-Net did. Each proposal lands
exactly (the edited graph is walked) and says what it costs; helpers.fixes.strategies
names them, `Fix.apply` rebuilds the Keras model (helpers.bridge.rebuild).

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
    Conv2D,
    Conv2DTranspose,
    DepthwiseConv2D,
    Graph,
    Layer,
    MaxPooling2D,
    Merge,
    Node,
    Shape,
    ShapeError,
    as_graph,
    pad_to_valid,
    pair,
    valid_input_sizes,
)

from .proposals import Cost, Proposal

__all__ = ["edit_layer", "same_padding", "input_size", "crop_skips", "keras_line",
           "crop_skip_targets"]

HW = tuple[int, int]
Network = Sequence[Layer] | Graph  # a chain of specs, or a model's graph (bridge.graph_plan)
LANDS = "lands exactly; each output pixel still sits over its own place in the target"


def _out(graph: Graph, shape: Shape) -> HW | None:
    return graph.output_hw(shape[0], shape[1])


def _editable(node: Node) -> bool:
    """A layer the learner named and wrote (not one inside a nested model)."""
    return node.spec is not None and node.spec.name == node.name


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


def edit_layer(network: Network, input_shape: Shape, t: HW) -> list[Proposal]:
    """One layer's configuration changed so that the network lands exactly on t."""
    graph, found = as_graph(network, input_shape), []
    base = graph.walk(*input_shape[:2])  # each edit re-sizes only what it reaches
    for node in graph.nodes:
        if not _editable(node):
            continue
        spec = node.spec
        for changes in _alternatives(spec):
            new = replace(spec, **changes)
            edited = graph.edited(node.name, new)
            if edited.output_hw(*input_shape[:2], base, node.name) != t:
                continue
            channels = edited.walk(*input_shape[:2])[node.name].inputs[0][2]
            delta = 0
            if "kernel_size" in changes and not isinstance(spec, MaxPooling2D):
                delta = _kernel_weights(new, channels) - _kernel_weights(spec, channels)
            params = {"edits": {node.name: changes}, "layer": node.name,
                      "before": keras_line(spec), "after": keras_line(new),
                      "input_shape": tuple(input_shape)}
            found.append(Proposal(params, Cost(params_delta=delta),
                                  _edit_reason(node.name, spec, changes, delta)))
    return found


def same_padding(network: Network, input_shape: Shape, t: HW) -> list[Proposal]:
    """padding='same' on every 'valid' layer with a window wider than one pixel, when that
    takes two or more edits (one layer's padding is edit_layer's) and lands exactly."""
    graph = as_graph(network, input_shape)
    valid = [n for n in graph.nodes if _editable(n) and getattr(n.spec, "padding", None) == "valid"
             and not isinstance(n.spec, Conv2DTranspose)
             and max(pair("size", getattr(n.spec, "pool_size",
                                          getattr(n.spec, "kernel_size", 1)))) > 1]
    edited = graph
    for node in valid:
        edited = edited.edited(node.name, replace(node.spec, padding="same"))
    if len(valid) < 2 or _out(edited, input_shape) != t:
        return []
    names = [n.name for n in valid]
    params = {"edits": {n: {"padding": "same"} for n in names},
              "before": "; ".join(keras_line(n.spec) for n in valid),
              "after": "; ".join(keras_line(replace(n.spec, padding="same")) for n in valid),
              "input_shape": tuple(input_shape)}
    return [Proposal(params, Cost(),
                     f"set padding='same' on the {len(names)} 'valid' layers ({', '.join(names)})"
                     f": no parameters added or removed, every weight kept; {LANDS}")]


def input_size(network: Network, input_shape: Shape, t: HW) -> list[Proposal]:
    """Zero-pad the input to the nearest size the network survives, crop the output back."""
    hw = tuple(input_shape[:2])
    if hw != tuple(t):
        return []
    graph = as_graph(network, input_shape)
    try:
        plan = pad_to_valid(hw, graph, limit=max(hw) + 64)
    except ShapeError:
        return []
    if plan.padded_hw == hw:
        return []
    (ph, pw), area = plan.padded_hw, t[0] * t[1]
    near = ""
    if hw[0] == hw[1]:
        sizes = valid_input_sizes(graph, max(1, hw[0] - 16), hw[0] + 16)
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


def crop_skips(network: Network, input_shape: Shape, t: HW) -> list[Proposal]:
    """Crop the larger input of every merge at the bottom/right to the smaller one (the
    original U-Net's cure; a residual or attention join alike); crop the target likewise."""
    graph = as_graph(network, input_shape)
    merges = [n.name for n in graph.nodes if isinstance(n.spec, Merge)]
    if not merges:
        return []
    edited = graph.cropping(merges)
    o = _out(edited, input_shape)
    if o is None or o == _out(graph, input_shape) or o[0] > t[0] or o[1] > t[1]:
        return []
    cut = {}
    for size in edited.walk(*input_shape[:2]).values():
        if size.node.name not in merges:
            continue
        h, w = (min(s[a] for s in size.inputs) for a in (0, 1))
        crops = {p: ((0, s[0] - h), (0, s[1] - w)) for p, s in zip(size.node.parents, size.inputs)
                 if s[:2] != (h, w)}
        if crops:
            cut[size.node.name] = (size.node.kind, size.node.parents, crops)
    lost = t[0] * t[1] - o[0] * o[1]
    cropping = ((0, t[0] - o[0]), (0, t[1] - o[1]))
    params = {"edits": {}, "cropped_skips": tuple(cut), "output_hw": o,
              "target_cropping": cropping, "input_shape": tuple(input_shape),
              "before": "; ".join(f"{kind}()([{', '.join(parents)}])"
                                  for kind, parents, _ in cut.values()),
              "after": "; ".join(f"{kind}()([" + ", ".join(
                  f"Cropping2D({crops[p]})({p})" if p in crops else p for p in parents) + "])"
                  for kind, parents, crops in cut.values())}
    target = (f", and the target's bottom/right {cropping} ({lost} target pixels never "
              "predicted)") if lost else ""
    return [Proposal(params, Cost(target_pixels_lost=lost),
                     f"crop the larger input at the bottom/right to the smaller one in "
                     f"{', '.join(cut)}, as the original U-Net did{target}; no parameters; the "
                     "output's top-left pixel stays over the target's, so every pixel "
                     "corresponds")]


def crop_skip_targets(y: np.ndarray, p: dict, o: HW, masks: bool) -> np.ndarray:
    """The target's top-left part the skip-cropped model predicts."""
    h, w = p["output_hw"]
    return y[:, :h, :w]
