"""A network as a graph of specs: any number of branches, merges anywhere, sized at any input.

A chain of specs (what `trace` follows) is one kind of network; a learner's Keras model
(residual blocks, attention gates, a U-Net written with the functional API) is a graph:
`helpers.bridge.graph_plan(model)` reads it into a `Graph` once. Then `Graph.walk(h, w)`
sizes every layer in pure arithmetic (microseconds per layer), so the doctor can try
thousands of input sizes and layer edits without TensorFlow, and a merge that Keras
would refuse at that size is reported with both branches' sizes instead of an exception.

>>> from helpers.shapes import Add, Conv2D, MaxPooling2D, UpSampling2D
>>> g = Graph.chain([Conv2D(4, 3, padding="same", name="a"), MaxPooling2D(2),
...                  UpSampling2D(2, name="up"), Add(skip="a", name="res")], channels=3)
>>> g.output_hw(8, 8), g.output_hw(9, 9)
((8, 8), None)
>>> g.failure(9, 9).error.split(":")[0]
"Add 'res' joins the skip 'a' of size 9x9x4 with a map of size 8x8x4"
>>> g.cropping(["res"]).output_hw(9, 9)        # cut the larger branch: 8x8 from a 9x9 input
(8, 8)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace

from .arithmetic import ShapeError
from .merges import Merge
from .spec import Layer, Shape, as_shape
from .trace import Trace, TraceRow, layer_names

__all__ = ["Node", "Size", "Graph", "as_graph", "INPUT"]

INPUT = "input"  # the name of a chain's input node


@dataclass(frozen=True)
class Node:
    """One layer of a graph: its spec (None when the engine has none), the layers that
    feed it, in Keras's order, and what Keras says of its output."""

    name: str
    kind: str
    parents: tuple[str, ...]
    spec: Layer | None
    channels: int | None = None  # the output's channels (None: unknown or not a map)
    feature_map: bool = True  # is the output (batch, H, W, C)? False after Flatten, Dense...


@dataclass(frozen=True)
class Size:
    """A layer's output (H, W, C) at one input size, or why it cannot run (error)."""

    node: Node
    inputs: tuple[tuple | None, ...]
    shape: tuple | None
    error: str | None = None


@dataclass(frozen=True)
class Graph:
    """The layers of a network (every parent before its children), its output layer, and
    the merges whose inputs are cropped at the bottom/right to the smallest of them (the
    original U-Net's cure, for any merge)."""

    nodes: tuple[Node, ...]
    output: str
    cropped: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def chain(cls, layers: Sequence[Layer], channels: int = 1) -> Graph:
        """The graph of a chain of specs; a Merge joins the running map with its skip.

        >>> from helpers.shapes import Add, Conv2D
        >>> [n.parents for n in Graph.chain([Conv2D(2, 3, name="c"), Add(skip="c")]).nodes]
        [(), ('input',), ('c', 'c')]
        """
        names = layer_names(layers)
        nodes = [Node(INPUT, "InputLayer", (), None, channels)]
        for layer, name in zip(layers, names):
            previous = nodes[-1].name
            if isinstance(layer, Merge):
                if layer.skip not in {n.name for n in nodes}:
                    raise ShapeError(f"{layer.kind}(skip={layer.skip!r}) names no earlier layer; "
                                     f"use one of {[n.name for n in nodes[1:]]}.")
                nodes.append(Node(name, layer.kind, (previous, layer.skip), layer))
            else:
                nodes.append(Node(name, layer.kind, (previous,), layer))
        return cls(tuple(nodes), nodes[-1].name)

    @property
    def layers(self) -> dict[str, Node]:
        """The nodes by name."""
        return {n.name: n for n in self.nodes}

    @property
    def specs(self) -> list[Layer]:
        """Every spec of the graph, in order (what the input-size search looks at)."""
        return [n.spec for n in self.nodes if n.spec is not None]

    def edited(self, name: str, spec: Layer) -> Graph:
        """The same graph with layer `name` given another spec (an edit of that layer)."""
        if name not in self.layers:
            raise ShapeError(f"name={name!r}: the graph has no such layer; use one of "
                             f"{[n.name for n in self.nodes]}.")
        return replace(self, nodes=tuple(replace(n, spec=spec) if n.name == name else n
                                         for n in self.nodes))

    def cropping(self, merges: Iterable[str]) -> Graph:
        """The same graph with these merges' inputs cropped to the smallest of them."""
        return replace(self, cropped=self.cropped | frozenset(merges))

    def walk(self, h: int, w: int) -> dict[str, Size]:
        """Every layer's output size at input (h, w); a layer that cannot run gets its
        error, and the layers after it get shape None."""
        sizes: dict[str, Size] = {}
        for node in self.nodes:
            if not node.parents:
                sizes[node.name] = Size(node, (), (h, w, node.channels or 1))
                continue
            ins = tuple(sizes[p].shape if p in sizes else None for p in node.parents)
            if any(s is None for s in ins):
                sizes[node.name] = Size(node, ins, None)
                continue
            try:
                shape = self._size(node, ins)
            except ShapeError as e:
                sizes[node.name] = Size(node, ins, None, str(e))
                continue
            sizes[node.name] = Size(node, ins, shape)
        return sizes

    def _size(self, node: Node, ins: tuple[tuple, ...]) -> tuple | None:
        if isinstance(node.spec, Merge):
            if node.name in self.cropped:
                h, w = (min(s[a] for s in ins) for a in (0, 1))
                ins = tuple((h, w, s[2]) for s in ins)
            out = ins[0]
            for other in ins[1:]:
                out = node.spec.join(out, other)
            return out
        if node.spec is not None:
            return node.spec.output_shape(ins[0])
        if not node.feature_map:
            return None  # Flatten, Dense on vectors...: not a feature map any more
        h, w, c = ins[0]
        return h, w, c if node.channels is None else node.channels

    def failure(self, h: int, w: int) -> Size | None:
        """The first layer that cannot run at (h, w), or None when all of them run."""
        return next((s for s in self.walk(h, w).values() if s.error), None)

    def output_hw(self, h: int, w: int, base: dict[str, Size] | None = None,
                  changed: str | None = None) -> tuple[int, int] | None:
        """The output's (H, W) at input (h, w); None when a layer cannot run there or the
        output is not a feature map.

        `base`, the walk at (h, w) of a graph that differs from this one only at layer
        `changed` (an edit), makes it fast: only the layers whose inputs changed size are
        sized again, and the walk stops at the first layer that cannot run."""
        if base is None or changed is None:
            sizes = self.walk(h, w)
            if any(s.error for s in sizes.values()):
                return None
            shape = sizes[self.output].shape
            return None if shape is None else (shape[0], shape[1])
        shapes = {name: size.shape for name, size in base.items()}
        dirty: set[str] = set()
        for node in self.nodes:
            if node.name != changed and dirty.isdisjoint(node.parents):
                continue
            ins = tuple(shapes[p] for p in node.parents)
            if any(s is None for s in ins):
                shape = None
            else:
                try:
                    shape = self._size(node, ins)
                except ShapeError:
                    return None
            if shape != shapes[node.name] or base[node.name].error:
                dirty.add(node.name)
                shapes[node.name] = shape
        if any(base[name].error for name in base if name not in dirty and name != changed):
            return None  # a layer the edit did not reach still cannot run
        shape = shapes[self.output]
        return None if shape is None else (shape[0], shape[1])

    def trace(self, h: int, w: int) -> tuple[Trace, Size | None]:
        """The graph at input (h, w) as trace rows, in order, up to the first layer that
        cannot run, and that layer's Size (None when every layer runs). A layer whose
        output is no longer a feature map (Flatten, Dense) has output shape ().

        >>> from helpers.shapes import Add, Conv2D, MaxPooling2D, UpSampling2D
        >>> g = Graph.chain([Conv2D(2, 3, padding="same", name="a"), MaxPooling2D(2),
        ...                  UpSampling2D(2), Add(skip="a", name="res")])
        >>> t, failed = g.trace(9, 9)
        >>> [r.name for r in t], failed.node.name
        (['a', 'max_pooling2d', 'up_sampling2d'], 'res')
        """
        rows = []
        sizes = self.walk(h, w)
        first = next(iter(sizes.values()))
        for name, size in sizes.items():
            node = size.node
            if not node.parents:
                continue
            if size.error:
                return Trace(first.shape, tuple(rows)), size
            if any(s is None for s in size.inputs):
                continue  # after a layer that is not a feature map
            out = size.shape if size.shape is not None else ()
            ins = size.inputs[0] if len(size.inputs) == 1 else size.inputs
            if isinstance(node.spec, Merge):
                formula = node.spec.join_formula(size.inputs[0], size.inputs[-1], out)
            elif node.spec is not None:
                formula = node.spec.formula(size.inputs[0])
            else:
                formula = "keeps H and W" if out else "not a feature map any more"
            rows.append(TraceRow(name, node.kind, ins, out, formula,
                                 bool(out) and out[:2] != size.inputs[0][:2],
                                 node.parents[-1] if isinstance(node.spec, Merge) else None))
        return Trace(first.shape, tuple(rows)), None

    def nearest_sizes(self, h: int, w: int, around: int = 32, count: int = 8,
                      same: bool = False) -> tuple[int, ...]:
        """The `count` square sizes nearest (h, w), within `around` pixels (2 at least: a
        1x1 input is no answer), at which every layer runs; with same=True, at which the
        output also has the input's size (an image-to-image network). Ascending.

        >>> from helpers.shapes import Add, Conv2D, MaxPooling2D, UpSampling2D
        >>> g = Graph.chain([Conv2D(2, 3, padding="same", name="a"), MaxPooling2D(2),
        ...                  UpSampling2D(2), Add(skip="a")])
        >>> g.nearest_sizes(9, 9, count=4)
        (6, 8, 10, 12)
        """
        lo = max(2, min(h, w) // 2, min(h, w) - around)
        ok = [n for n in range(lo, max(h, w) + around + 1)
              if (self.output_hw(n, n) == (n, n) if same else self.failure(n, n) is None)]
        return tuple(sorted(sorted(ok, key=lambda n: (abs(n - h) + abs(n - w), -n))[:count]))

    def symmetric(self) -> bool:
        """Does every spec treat height and width alike (square kernels, strides, crops)?"""
        for layer in self.specs:
            values = {f.name: getattr(layer, f.name) for f in fields(layer)}
            if "height" in values and values["height"] != values.get("width"):
                return False
            if any(isinstance(v, tuple) and len(v) == 2 and v[0] != v[1]
                   for v in values.values()):
                return False
        return True


def as_graph(network: Sequence[Layer] | Graph, input_shape: Shape | None = None) -> Graph:
    """A Graph as it is, or the graph of a chain of specs (on input_shape's channels).

    >>> from helpers.shapes import Conv2D
    >>> as_graph([Conv2D(2, 3)], (8, 8, 3)).walk(8, 8)["conv2d"].shape
    (6, 6, 2)
    """
    if isinstance(network, Graph):
        return network
    channels = as_shape(input_shape)[2] if input_shape is not None else 1
    return Graph.chain(list(network), channels)

