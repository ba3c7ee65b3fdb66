"""A Keras model's layer graph as specs (a `helpers.shapes.Graph`), read once.

`graph_plan(model)` reads each layer once (its spec, the layers that feed it); the
Graph's `walk(h, w)` then sizes every layer in pure arithmetic, so a search over many
input sizes or layer edits costs microseconds per layer and never touches TensorFlow.

>>> import keras
>>> x = keras.Input((None, None, 3))
>>> a = keras.layers.Conv2D(4, 3, padding="same", name="a")(x)
>>> b = keras.layers.UpSampling2D(2, name="up")(keras.layers.MaxPooling2D(2, name="down")(a))
>>> graph = graph_plan(keras.Model(x, keras.layers.Add(name="res")([b, a])))
>>> graph.failure(9, 9).error.split(":")[0]
"Add 'res' joins the skip 'a' of size 9x9x4 with a map of size 8x8x4"
"""

from __future__ import annotations

from typing import Any

from helpers import shapes as S

from .layers import spec_of

__all__ = ["graph_plan", "tensor_names"]


def tensor_names(tensors: Any) -> tuple[str, ...]:
    """The names of the layers that made these KerasTensors ('?' when unknown)."""
    items = tensors if isinstance(tensors, (list, tuple)) else [tensors]
    out = []
    for t in items:
        history = getattr(t, "_keras_history", None)
        out.append(getattr(history[0], "name", "?") if history else "?")
    return tuple(out)


def graph_plan(model: Any) -> S.Graph:
    """The graph of a built Keras model (every parent before its children; the output
    is the model's first). A nested model (an encoder sub-model, a keras.applications
    backbone) is opened: its layers join the graph as "backbone/conv1", sized as they
    are, and its input is the tensor it was called on. A layer called several times
    (shared) or a model without inputs raise ShapeError."""
    if not getattr(model, "inputs", None):
        raise S.ShapeError("model has no inputs yet; build it on keras.Input((H, W, C)).")
    nodes: list[S.Node] = []
    inputs = [(tensor_names(t)[0], t) for t in model.inputs]
    for name, t in inputs:  # a Sequential's input is not one of its layers
        if name not in {layer.name for layer in model.layers}:
            nodes.append(S.Node(name, "InputLayer", (), None, t.shape[-1]))
    alias: dict[str, str] = {}
    _read(model, "", alias, nodes)
    output = tensor_names(model.outputs[0])[0]
    return S.Graph(tuple(nodes), alias.get(output, output))


def _read(model: Any, prefix: str, alias: dict[str, str], nodes: list[S.Node]) -> None:
    """Append model's layers to nodes, names prefixed, parents renamed through alias."""
    import keras

    for layer in model.layers:
        kind = type(layer).__name__
        try:
            parents = () if kind == "InputLayer" else tensor_names(layer.input)
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError) as e:
            raise S.ShapeError(f"layer '{layer.name}' is shared by several calls; "
                               "the graph cannot be walked.") from e
        parents = tuple(alias.get(prefix + p, prefix + p) for p in parents)
        name = prefix + layer.name
        if kind == "InputLayer" and prefix:
            continue  # a nested model's input: its layers read the outer tensor (alias)
        if isinstance(layer, keras.Model) and len(layer.inputs) == 1 and len(parents) == 1:
            inner = f"{name}/"
            alias[inner + tensor_names(layer.inputs[0])[0]] = parents[0]
            _read(layer, inner, alias, nodes)
            alias[name] = alias.get(inner + tensor_names(layer.outputs[0])[0],
                                    inner + tensor_names(layer.outputs[0])[0])
            continue
        spec = None if kind == "InputLayer" else spec_of(layer)
        nodes.append(S.Node(name, kind, parents, spec,
                            shape[-1] if len(shape) == 4 else None, len(shape) == 4))
