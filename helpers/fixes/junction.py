"""Explain a merge or skip error on the learner's own model: which merge, which sizes,
which layer on each branch made them differ, the input sizes that work, and the fixes.

`explain_merge(reading, model)` never raises over a recognised error: when the model
cannot be sized at the failing input, the result says so in `note`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from helpers.bridge import PartialGraph, graph_plan
from helpers.shapes import Graph, Merge, Size, centred_edges, size_text

from .advisor import Fix, suggest
from .reading import ErrorReading
from .report import report_html

__all__ = ["MergeDiagnosis", "explain_merge", "explain_partial"]

SEARCH = 1024  # the largest square input size searched for a run-time error's input
AROUND = 32  # working sizes are searched within this many pixels of the failing one
NEAREST = 8  # and the nearest ones listed


@dataclass(frozen=True)
class MergeDiagnosis:
    """Where a merge (Concatenate, Add, ...) in a model fails, why, and how to fix it."""

    reading: ErrorReading
    merge: str | None = None  # the merge layer's name in the model
    layer: str | None = None  # its Keras class
    input_hw: tuple | None = None  # the input size at which it fails
    branches: tuple = ()  # the (H, W, C) of its two inputs, in Keras's order
    parents: tuple = ()  # the layers that feed those two inputs
    culprits: tuple = ()  # per branch: the last layer that changed the size (None: none)
    working_sizes: tuple[int, ...] = ()  # the square input sizes nearest input_hw that run
    fixes: tuple[Fix, ...] = ()  # ranked edits of the model (suggest), each with apply()
    hints: tuple[str, ...] = ()  # what to change, in words, where no Fix can be applied
    note: str = ""  # why the model could not be sized, or what the sizing did not see
    error: str = ""  # the original message's first line

    @property
    def kind(self) -> str:
        """'skip' (Concatenate) or 'merge' (element-wise), as the reading says."""
        return self.reading.kind

    @property
    def summary(self) -> str:
        """The reading's one line (which sizes met where), as ErrorReading.summary says it."""
        return self.reading.summary

    def _lines(self) -> list[str]:
        lines = [f"Keras said: {self.error}"] if self.error else []
        lines.append(self.reading.summary + ".")
        if self.merge is None:
            return [*lines, self.note]
        lines.append(f"The merge '{self.merge}' ({self.layer}) fails at input "
                     f"{size_text(self.input_hw)}: it joins {size_text(self.branches[0])} with "
                     f"{size_text(self.branches[1])}.")
        for parent, culprit in zip(self.parents, self.culprits):
            lines.append(f"  the branch ending at '{parent}': " + (
                f"'{culprit[0]}' made it {size_text(culprit[1])}" if culprit
                else "keeps the size it had where the branches split"))
        if self.working_sizes:
            lines.append("Square input sizes that work near it: "
                         + ", ".join(map(str, self.working_sizes)) + ".")
        lines += [f"  fix {i}. {fix}" for i, fix in enumerate([*self.fixes, *self.hints], 1)]
        return [*lines, self.note] if self.note else lines

    def __str__(self) -> str:
        return "\n".join(self._lines())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return report_html(self._lines(), "#b2182b")


def _merges(sizes: dict[str, Size]) -> list[Size]:
    return [s for s in sizes.values() if isinstance(s.node.spec, Merge) and len(s.inputs) >= 2
            and None not in s.inputs]


def _matches(size: Size, reading: ErrorReading, axis: int | None) -> bool:
    if not size.error:
        return False
    want = [reading.target_hw, reading.output_hw]
    if None in want or any(None in w for w in want):
        return True  # the message has no sizes to match: any failing merge
    got = [s[:2] for s in size.inputs[:2]]
    if axis is None:
        return sorted(got) == sorted(want)
    return sorted(g[axis] for g in got) == sorted(w[axis] for w in want)


def _find(plan: Graph, reading: ErrorReading, fixed: tuple | None) -> tuple | None:
    """(input (h, w), the failing merge's GraphSize), at the fixed size or by a search."""
    if fixed is not None:
        sizes = plan.walk(*fixed)
        hit = [s for s in _merges(sizes) if _matches(s, reading, None)]
        return (fixed, hit[0]) if hit else None
    found: list[int | None] = [None, None]
    for n in range(1, SEARCH + 1):
        for s in _merges(plan.walk(n, n)):
            for axis in (0, 1):
                if found[axis] is None and _matches(s, reading, axis):
                    found[axis] = n
        if None not in found:
            return _find(plan, reading, tuple(found))
    return None


def _chain(sizes: dict[str, Size], name: str) -> list[str]:
    chain = [name]
    while sizes[chain[-1]].node.parents and sizes[chain[-1]].node.parents[0] in sizes:
        chain.append(sizes[chain[-1]].node.parents[0])
    return chain


def _culprit(sizes: dict[str, Size], chain: list[str], other: list[str]) -> tuple | None:
    for name in chain:
        if name in other:  # the fork: both branches share what is before it
            return None
        s = sizes[name]
        if s.inputs and s.inputs[0] and s.shape and s.inputs[0][:2] != s.shape[:2]:
            return name, s.shape[:2]
    return None


def _input_hw(model: Any) -> tuple | None:
    shape = tuple(model.inputs[0].shape[1:3])
    return None if None in shape else shape


def explain_merge(reading: ErrorReading, model: Any, input_shape: tuple | None = None,
                  error: str = "") -> MergeDiagnosis:
    """The merge of `model` that the error names, sized at the failing input (given, fixed
    by the model, or searched from the sizes in the message).

    >>> import keras
    >>> from helpers.fixes import read_error
    >>> x = keras.Input((None, None, 3))
    >>> a = keras.layers.Conv2D(4, 3, padding="same", name="a")(x)
    >>> b = keras.layers.UpSampling2D(2, name="up")(keras.layers.MaxPooling2D(2)(a))
    >>> model = keras.Model(x, keras.layers.Add(name="res")([b, a]))
    >>> r = read_error("Incompatible shapes: [1,8,8,4] vs. [1,9,9,4] [Op:AddV2] calling Add.call()")
    >>> d = explain_merge(r, model)
    >>> d.merge, d.input_hw, d.culprits, d.working_sizes
    ('res', (9, 9), (('up', (8, 8)), None), (4, 6, 8, 10, 12, 14, 16, 18))
    >>> fix = d.fixes[0]  # pad the input to 10x10, crop the output back to 9x9
    >>> fix.strategy, fix.params["padded_hw"], fix.apply(model).output_shape
    ('input_size', (10, 10), (None, 9, 9, 4))
    """
    try:
        return _explain(reading, model, input_shape, error)
    except Exception as e:  # noqa: BLE001 - a recognised error never ends in a traceback
        return MergeDiagnosis(reading, note=f"The model could not be sized ({e}); trace it "
                              "with diagnose(model, input_shape=(H, W, C)).", error=error)


def explain_partial(reading: ErrorReading, partial: PartialGraph,
                    error: str = "") -> MergeDiagnosis:
    """explain_merge for a model that never built: the merge whose call failed, on the
    part of the graph that built before it (helpers.bridge.failed_call reads it from the
    exception), at that graph's input size."""
    try:
        d = _explain_plan(reading, partial.plan, partial.input_hw, error)
    except Exception as e:  # noqa: BLE001 - a recognised error never ends in a traceback
        return MergeDiagnosis(reading, note=f"The model could not be sized ({e}).", error=error)
    if d.merge is None:
        return d
    return replace(d, note=f"The model never built: only the layers before '{d.merge}' are "
                   "known, so a size that works for them may still fail at a later merge; "
                   "once it builds, check it with diagnose(model, input_shape=(H, W, C)).")


def _explain(reading: ErrorReading, model: Any, input_shape: tuple | None,
             error: str) -> MergeDiagnosis:
    fixed = tuple(input_shape[:2]) if input_shape is not None else _input_hw(model)
    graph = graph_plan(model)
    d = _explain_plan(reading, graph, fixed, error)
    if d.merge is None:
        return d
    (h, w), channels = d.input_hw, model.inputs[0].shape[-1]
    near = d.working_sizes and min(d.working_sizes, key=lambda n: (abs(n - h) + abs(n - w), -n))
    if not near or graph.output_hw(near, near) != (near, near):
        return d  # not image-to-image: no target size to land on, the hints stand
    fixes = tuple(suggest(None, (h, w), graph, (h, w, channels)))
    return replace(d, fixes=fixes, hints=d.hints[-1:] if fixes else d.hints)


def _explain_plan(reading: ErrorReading, plan: Graph, fixed: tuple | None,
                  error: str) -> MergeDiagnosis:
    hit = _find(plan, reading, fixed)
    if hit is None:
        at = f"at input {size_text(fixed)}" if fixed else f"at any square input up to {SEARCH}"
        return MergeDiagnosis(reading, note=f"No merge of this model joins these sizes {at}; "
                              "was the error raised by this model? Pass input_shape=(H, W, C) "
                              "of the input that failed.", error=error)
    (h, w), merge = hit
    sizes = plan.walk(h, w)
    chains = [_chain(sizes, p) for p in merge.node.parents[:2]]
    culprits = (_culprit(sizes, chains[0], chains[1]), _culprit(sizes, chains[1], chains[0]))
    ok = plan.nearest_sizes(h, w, AROUND, NEAREST)
    hints = []
    if ok:
        near = min(ok, key=lambda n: (abs(n - h) + abs(n - w), -n))
        up = min((n for n in ok if n >= max(h, w)), default=None)
        hints.append(f"feed {near}x{near} inputs (the nearest size that works)")
        if up is not None:
            pad = centred_edges((up, up), (h, w))
            hints.append(f"pad the input to {up}x{up} with ZeroPadding2D({pad}) and crop the "
                         f"output back with Cropping2D({pad})")
    hints.append(f"change the branches themselves: {merge.error.split(': ', 1)[-1]}")
    return MergeDiagnosis(reading, merge.node.name, merge.node.kind, (h, w),
                          tuple(merge.inputs[:2]), tuple(merge.node.parents[:2]), culprits, ok,
                          (), tuple(hints), "", error)
