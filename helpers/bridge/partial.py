"""The model a learner was building when a layer call failed, read from the exception.

A functional model that does not build (an Add or a Concatenate of two maps of different
sizes) raises before any keras.Model exists. The exception's traceback frames still hold
the KerasTensors of the call that failed, and each carries its `_keras_history` (the layer
and node that made it), so the part that did build can be made into a model:
keras.Model(the graph's inputs, the failing layer's inputs).

>>> import keras
>>> x = keras.Input((9, 9, 4), name="image")
>>> main = keras.layers.Conv2D(4, 3, strides=2, padding="same", name="strided")(x)
>>> try:
...     keras.layers.Add(name="res")([main, x])
... except ValueError as e:
...     part = failed_call(e)
>>> part.name, part.parents, part.input_hw
('res', ('strided', 'image'), (9, 9))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helpers import shapes as S

from .layers import spec_of
from .plan import graph_plan, tensor_names

__all__ = ["PartialGraph", "failed_call", "model_in_traceback"]


@dataclass(frozen=True)
class PartialGraph:
    """The part of a model that built, up to the layer call that failed."""

    model: Any  # keras.Model(graph inputs, the failing layer's inputs)
    name: str  # the failing layer's name
    kind: str  # its Keras class
    parents: tuple[str, ...]  # the layers that made its inputs
    plan: S.Graph  # graph_plan(model) and, last (its output), the failing layer
    input_hw: tuple | None  # the graph input's (H, W), when fixed


def _tensors(value: Any) -> list:
    import keras

    items = value if isinstance(value, (list, tuple)) else [value]
    return [t for t in items if isinstance(t, keras.KerasTensor)
            and getattr(t, "_keras_history", None)]


def _call(frame: Any) -> tuple[Any, list] | None:
    """(layer, its input tensors) when this frame is a layer call (filtered or not)."""
    import keras

    local = frame.f_locals
    args = local.get("args")
    if isinstance(args, tuple) and len(args) >= 2 and isinstance(args[0], keras.layers.Layer):
        return args[0], _tensors(args[1])  # Keras's filtered error_handler(fn, *args)
    owner = local.get("self")
    if isinstance(owner, keras.layers.Layer) and isinstance(args, tuple) and args:
        return owner, _tensors(args[0])  # Layer.__call__(self, *args), unfiltered
    return None


def _graph_inputs(tensors: list) -> list:
    inputs: dict[int, Any] = {}
    seen: set[int] = set()
    todo = list(tensors)
    while todo:
        t = todo.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        op, index, _ = t._keras_history
        node = op._inbound_nodes[index]
        if node.is_input:
            inputs[id(t)] = t
        else:
            todo.extend(node.input_tensors)
    return list(inputs.values())


def failed_call(exc: BaseException) -> PartialGraph | None:
    """The failing layer call found in `exc`'s traceback, with the one-input model of what
    built before it; None when the frames hold no such call (or the graph has several
    inputs, which one input size cannot describe)."""
    import keras

    found = None
    tb = getattr(exc, "__traceback__", None)
    while tb is not None:
        call = _call(tb.tb_frame)
        if call is not None and call[1]:
            found = call  # the deepest call is the one that failed
        tb = tb.tb_next
    if found is None:
        return None
    layer, tensors = found
    try:
        inputs = _graph_inputs(tensors)
        if len(inputs) != 1:
            return None
        model = keras.Model(inputs, tensors, name="built_so_far")
        parents = tensor_names(tensors)
        node = S.Node(layer.name, type(layer).__name__, parents, spec_of(layer), None, True)
        built = graph_plan(model)
        shape = tuple(inputs[0].shape[1:3])
        return PartialGraph(model, layer.name, type(layer).__name__, parents,
                            S.Graph((*built.nodes, node), node.name),
                            None if None in shape else shape)
    except Exception:  # noqa: BLE001 - a graph we cannot read: the caller reads the message
        return None


def model_in_traceback(exc: BaseException) -> tuple[Any, tuple | None]:
    """(the Keras model whose method raised `exc`, the (H, W, C) of the input it was given)
    from the traceback's frames: fit, evaluate, predict, train_on_batch, or a call in a
    custom training step. The outermost model wins (the learner's, not a nested encoder);
    (None, None) when no frame belongs to a model, and None for an input size it cannot
    read (a dataset, a dict of inputs).

    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(1, 3)])
    >>> model.compile(loss="mse")
    >>> try:
    ...     model.fit(np.zeros((1, 9, 9, 1)), np.zeros((1, 9, 9, 1)), verbose=0)
    ... except Exception as e:
    ...     found, shape = model_in_traceback(e)
    >>> found is model, shape
    (True, (9, 9, 1))
    """
    import keras

    tb = getattr(exc, "__traceback__", None)
    while tb is not None:
        local = tb.tb_frame.f_locals
        args = local.get("args")
        args = args if isinstance(args, tuple) else ()
        for owner, given in ((local.get("self"), (local.get("x"), local.get("inputs"))),
                             (args[0] if args else None, args[1:2])):
            if isinstance(owner, keras.Model):
                shapes = [tuple(g.shape[1:]) for g in given
                          if len(getattr(g, "shape", ())) == 4 and None not in g.shape[1:]]
                return owner, (tuple(int(v) for v in shapes[0]) if shapes else None)
        tb = tb.tb_next
    return None, None
