"""A Keras model's layer graph as specs, sized by the shape engine at any input size.

`graph_plan(model)` reads each layer once (its spec, the layers that feed it);
`walk_graph(plan, h, w)` then sizes every layer in pure arithmetic, so a search over
many input sizes costs microseconds per size, and a merge that Keras refuses at that
size is reported with both branches' sizes instead of an exception.

>>> import keras
>>> x = keras.Input((None, None, 3))
>>> a = keras.layers.Conv2D(4, 3, padding="same", name="a")(x)
>>> b = keras.layers.UpSampling2D(2, name="up")(keras.layers.MaxPooling2D(2, name="down")(a))
>>> plan = graph_plan(keras.Model(x, keras.layers.Add(name="res")([b, a])))
>>> walk_graph(plan, 9, 9)["res"].error.split(":")[0]
"Add 'res' joins the skip 'a' of size 9x9x4 with a map of size 8x8x4"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helpers import shapes as S

from .layers import spec_of

__all__ = ["GraphNode", "GraphSize", "graph_plan", "walk_graph"]


@dataclass(frozen=True)
class GraphNode:
    """One layer of a model's graph: its spec (None if the engine has none) and parents."""

    name: str
    kind: str
    parents: tuple[str, ...]
    spec: S.Layer | None
    channels: int | None  # the channels Keras gives its output (None: unknown or not 4-D)
    feature_map: bool  # does Keras give it a 4-D (batch, H, W, C) output?


@dataclass(frozen=True)
class GraphSize:
    """A layer's output (H, W, C) at one input size, or why it cannot run (error)."""

    node: GraphNode
    inputs: tuple[tuple, ...]
    shape: tuple | None
    error: str | None = None


def _names(tensors: Any) -> tuple[str, ...]:
    items = tensors if isinstance(tensors, (list, tuple)) else [tensors]
    out = []
    for t in items:
        history = getattr(t, "_keras_history", None)
        out.append(getattr(history[0], "name", "?") if history else "?")
    return tuple(out)


def graph_plan(model: Any) -> list[GraphNode]:
    """The nodes of a built Keras model, in order (every parent before its children).

    A layer called several times (shared) or a model without inputs raise ShapeError.
    """
    if not getattr(model, "inputs", None):
        raise S.ShapeError("model has no inputs yet; build it on keras.Input((H, W, C)).")
    nodes = []
    for layer in model.layers:
        kind = type(layer).__name__
        try:
            parents = () if kind == "InputLayer" else _names(layer.input)
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError) as e:
            raise S.ShapeError(f"layer '{layer.name}' is shared by several calls; "
                               "the graph cannot be walked.") from e
        spec = None if kind == "InputLayer" else spec_of(layer)
        nodes.append(GraphNode(layer.name, kind, parents, spec,
                               shape[-1] if len(shape) == 4 else None, len(shape) == 4))
    return nodes


def _size(node: GraphNode, ins: tuple[tuple, ...]) -> tuple[tuple | None, str | None]:
    if isinstance(node.spec, S.Merge):
        out = ins[0]
        for other in ins[1:]:
            out = node.spec.join(out, other)
        return out, None
    if node.spec is not None:
        return node.spec.output_shape(ins[0]), None
    if not node.feature_map:
        return None, None  # Flatten, Dense on vectors...: not a feature map any more
    h, w, c = ins[0]
    return (h, w, c if node.channels is None else node.channels), None


def walk_graph(plan: list[GraphNode], h: int, w: int) -> dict[str, GraphSize]:
    """Every layer's output size at input (h, w); a layer that cannot run gets its error
    and the layers after it get shape None.
    """
    sizes: dict[str, GraphSize] = {}
    for node in plan:
        if node.kind == "InputLayer":
            sizes[node.name] = GraphSize(node, (), (h, w, node.channels or 1))
            continue
        ins = tuple(sizes[p].shape if p in sizes else None for p in node.parents)
        if not ins or any(s is None for s in ins):
            sizes[node.name] = GraphSize(node, ins, None)
            continue
        try:
            shape, error = _size(node, ins)
        except S.ShapeError as e:
            shape, error = None, str(e)
        sizes[node.name] = GraphSize(node, ins, shape, error)
    return sizes
