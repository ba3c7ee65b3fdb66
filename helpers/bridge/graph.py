"""Walk a Keras model's own graph at a concrete input size, with the learner's own layers.

Nothing is rebuilt from config (a custom layer without **kwargs traces as it is) and no
weight is created: each layer is asked for its output *spec* on symbolic tensors of the
new size, in the graph's order (the order Keras itself runs it). Nested models (a
keras.applications backbone, an encoder sub-model) are opened layer by layer, their
layers' names prefixed by the sub-model's ("resnet50/conv1_conv").

>>> import keras
>>> inputs = keras.Input((None, None, 1))
>>> model = keras.Model(inputs, keras.layers.MaxPooling2D(2, name="pool")(inputs))
>>> steps, error = walk(model, [(9, 9, 1)])
>>> [(s.name, s.output_shape) for s in steps], error is None
([('pool', (4, 4, 1))], True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Step", "walk", "graph_of", "scale_of"]


@dataclass(frozen=True)
class Step:
    """One call of one layer: its (prefixed) name, the layer, its input and output shapes,
    the step that made its (first) input (None: a model input) and, for a Concatenate, the
    name of the layer that made its last input (the skip)."""

    name: str
    layer: Any
    input_shape: tuple
    output_shape: tuple
    source: str | None = None
    skip: str | None = None


@dataclass(frozen=True)
class Failure:
    """The call that cannot run at this size: which layer, on what, and Keras's words
    (raw: helpers.bridge.error_text cleans them)."""

    name: str
    kind: str
    input_shape: tuple
    message: str


def graph_of(model: Any) -> Any:
    """The functional graph behind a model (a built Sequential's own), or None."""
    graph = getattr(model, "_functional", None) or model
    return graph if hasattr(graph, "_nodes_by_depth") and getattr(graph, "inputs", None) else None


def _shape(spec: Any) -> tuple:
    if isinstance(spec, (list, tuple)):
        return tuple(_shape(s) for s in spec)
    return tuple(spec.shape[1:])


def _flat(args: Any) -> list:
    if isinstance(args, (list, tuple)):
        return [t for a in args for t in _flat(a)]
    if isinstance(args, dict):
        return [t for a in args.values() for t in _flat(a)]
    return [args]


def _output_spec(layer: Any, args: tuple, kwargs: dict) -> Any:
    """The layer's output spec for these symbolic inputs, after the checks a call makes."""
    import keras
    from keras.src.layers import input_spec

    if args and getattr(layer, "input_spec", None) is not None:
        input_spec.assert_input_compatibility(layer.input_spec, args[0], layer_name=layer.name)
    if isinstance(layer, keras.layers.Layer) and type(layer).__module__.startswith(
            "keras.src.layers.merging"):  # merge layers check their inputs in build():
        fresh = type(layer).from_config(layer.get_config())  # a weightless copy checks them
        fresh.build([tuple(t.shape) for t in _flat(args[0])])
    out = layer.compute_output_spec(*args, **kwargs)
    for t in _flat(out):
        if any(d is not None and d <= 0 for d in t.shape[1:]):
            raise ValueError(f"the output would be {_shape(t)}, with an axis of size 0 or less")
    return out


def walk(model: Any, input_shapes: list[tuple]) -> tuple[list[Step], Failure | None]:
    """Every layer call of `model` on inputs of `input_shapes` (one per model input, without
    the batch axis), in graph order, nested models opened; stops at the first call that
    cannot run, returned as a Failure (None when all run)."""
    import keras

    graph = graph_of(model)
    steps: list[Step] = []
    specs = [keras.KerasTensor((None, *s), dtype=x.dtype) for s, x in zip(input_shapes,
                                                                          graph.inputs)]
    try:
        _run(graph, specs, "", steps, [None] * len(specs))
    except _Stop as stop:
        return steps, stop.failure
    return steps, None


class _Stop(Exception):
    def __init__(self, failure: Failure) -> None:
        self.failure = failure


def _run(graph: Any, specs: list, prefix: str, steps: list[Step],
         sources: list) -> tuple[list, list]:
    """The graph's output specs and the names of the steps that made them; appends a Step
    per layer call (a nested model's calls under "prefix/name/")."""
    import keras

    tensors = {id(x): y for x, y in zip(graph.inputs, specs)}
    made_by: dict[int, str | None] = {id(x): s for x, s in zip(graph.inputs, sources)}
    calls: dict[int, int] = {}
    for depth in sorted(graph._nodes_by_depth, reverse=True):
        for node in graph._nodes_by_depth[depth]:
            layer = node.operation
            if not layer or node.is_input:
                continue
            if any(id(x) not in tensors for x in node.input_tensors):
                continue  # not connected to the inputs (as Keras skips it)
            args, kwargs = node.arguments.fill_in(tensors)
            k = calls[id(layer)] = calls.get(id(layer), 0) + 1
            name = prefix + layer.name + (f" (call {k})" if k > 1 else "")
            sub = graph_of(layer) if isinstance(layer, keras.Model) else None
            if sub is not None:
                outs, makers = _run(sub, _flat(args), name + "/", steps,
                                    [made_by.get(id(x)) for x in node.input_tensors])
            else:
                ins = _shape(args[0]) if len(args) == 1 else _shape(list(args))
                try:
                    outs = _output_spec(layer, args, kwargs)
                except Exception as e:  # Keras raises ValueError, TypeError or TF errors
                    text = str(e).strip() or type(e).__name__
                    raise _Stop(Failure(name, type(layer).__name__, ins, text)) from None
                skip = None
                if type(layer).__name__ == "Concatenate":
                    skip = made_by.get(id(node.input_tensors[-1]))
                source = made_by.get(id(node.input_tensors[0])) if node.input_tensors else None
                steps.append(Step(name, layer, ins, _shape(outs), source, skip))
                makers = [name] * len(node.outputs)
            for x, y, maker in zip(node.outputs, _flat(outs), makers):
                tensors[id(x)] = y
                made_by[id(x)] = maker
    return ([tensors[id(x)] for x in graph.outputs],
            [made_by.get(id(x)) for x in graph.outputs])


def scale_of(layer: Any) -> tuple | None:
    """The factor by which a layer nominally multiplies (H, W): 1/stride for a strided
    convolution or pooling, the stride or size for a transposed conv or an upsampling,
    1 for the rest; None for a Resizing (it makes the size it is told, exactly).

    >>> import keras
    >>> scale_of(keras.layers.MaxPooling2D(2)), scale_of(keras.layers.UpSampling2D(3))
    ((Fraction(1, 2), Fraction(1, 2)), (Fraction(3, 1), Fraction(3, 1)))
    """
    from fractions import Fraction

    kind = type(layer).__name__
    if kind == "Resizing":
        return None
    up = getattr(layer, "size", None) if kind.startswith("UpSampling") else (
        getattr(layer, "strides", None) if "Transpose" in kind else None)
    if up is not None and len(tuple(up)) == 2:
        return tuple(Fraction(int(v)) for v in up)
    down = getattr(layer, "strides", None)
    if down is not None and not isinstance(down, int) and len(tuple(down)) == 2:
        return tuple(Fraction(1, int(v)) for v in down)
    return (Fraction(1), Fraction(1))
