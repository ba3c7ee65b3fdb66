"""The model doctor: explain a learner's own size mismatch, layer by layer, and fix it.

`diagnose(model)` traces a real Keras model against its target; `explain_error(exc)`
reads the usual Keras/TensorFlow mismatch messages (fixes/reading.py) and gives the same
diagnosis, or for a merge or skip error the merge's (fixes/junction.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from helpers.bridge import (
    CANNOT_RUN,
    WILL_FAIL,
    error_text,
    failed_call,
    graph_plan,
    trace_model_failure,
)
from helpers.shapes import ShapeError, Trace, TraceRow, size_text

from .advisor import Fix, suggest
from .junction import MergeDiagnosis, explain_merge, explain_partial
from .reading import ErrorReading, read_error
from .report import report_html

__all__ = ["Diagnosis", "diagnose", "diagnose_builder", "culprit", "explain_error",
           "ErrorReading", "read_error", "MergeDiagnosis"]


@dataclass(frozen=True)
class Diagnosis:
    """What a model does to the spatial size, where it departs from the target, and fixes."""

    trace: Trace
    target_hw: tuple[int, int]
    output_hw: tuple[int, int] | None
    departure: TraceRow | None  # the layer that caused the mismatch (see culprit())
    broadcast: bool  # a size-1 output axis would be broadcast over the target, silently
    fixes: list[Fix] = field(default_factory=list)
    error: str = ""  # the original error message, when made by explain_error
    failed: TraceRow | None = None  # the layer that cannot run at this size (the last row)

    @property
    def matches(self) -> bool:
        """True when the output's spatial size equals the target's."""
        return self.output_hw == self.target_hw

    def _lines(self) -> list[str]:
        if self.failed is not None:
            return self._failed_lines()
        out = "x".join(map(str, self.output_hw)) if self.output_hw else "not a feature map"
        lines = [f"output {out} vs target {self.target_hw[0]}x{self.target_hw[1]}: "
                 + ("sizes match." if self.matches else "MISMATCH.")]
        if self.error:
            lines.insert(0, f"Keras said: {self.error}")
        for row in self.trace.changed:
            lines.append(f"  {row.name} ({row.kind}) changes {size_text(row.spatial_in)} -> "
                         f"{size_text(row.spatial_out)}: {row.formula}")
        for row in self.trace.rows:
            if row.formula.startswith(WILL_FAIL) and row not in self.trace.changed:
                lines.append(f"  {row.name} ({row.kind}) {row.formula}")
        if self.departure is not None and not self.matches:
            lines.append(f"The mismatch starts at layer '{self.departure.name}' "
                         f"({self.departure.kind}): {size_text(self.departure.spatial_in)} -> "
                         f"{size_text(self.departure.spatial_out)}.")
        if self.broadcast:
            lines.append("Silent broadcast: an output axis of size 1 is stretched over the "
                         "target by MSE, so fit() trains without any error but learns one value "
                         "for the whole map. Use helpers.training.shape_checked(loss).")
        for i, fix in enumerate(self.fixes, 1):
            lines.append(f"  fix {i}. {fix}")
        return lines

    def _failed_lines(self) -> list[str]:
        why = self.failed.formula.removeprefix(CANNOT_RUN)
        lines = [f"The model does not build at {size_text(self.trace.input_shape[:2])}: "
                 f"{self.failed.name} ({self.failed.kind}) {why}."]
        if self.error:
            lines.append(f"Keras said: {self.error}")
        for row in self.trace.changed:
            lines.append(f"  {row.name} ({row.kind}) changes {size_text(row.spatial_in)} -> "
                         f"{size_text(row.spatial_out)}: {row.formula}")
        lines.append(f"The trace stops at layer '{self.failed.name}' (the last row); "
                     "no output, so nothing to compare with the target "
                     f"{size_text(self.target_hw)}.")
        return lines + [f"  fix {i}. {fix}" for i, fix in enumerate(self.fixes, 1)]

    def __str__(self) -> str:
        return "\n".join(self._lines())

    __repr__ = __str__  # plain consoles show the table, not the fields

    def _repr_html_(self) -> str:
        colour = "#1b7837" if self.matches and not self.broadcast else "#b2182b"
        return report_html(self._lines(), colour, self.trace._repr_html_())


def diagnose(model: Any, input_shape: tuple | None = None,
             target_shape: tuple | None = None) -> Diagnosis:
    """Trace a Keras model and compare its output with the target's spatial size.

    `model` may also be the learner's builder function, `build(input_shape) -> Model`
    (see diagnose_builder), for a model that does not even build at its size.

    target_shape defaults to the input's (an image-to-image model); give (H, W) or
    (H, W, C). input_shape traces a model built on keras.Input((None, None, C)).
    `departure` is the layer that caused a mismatch (see culprit()). A model that cannot
    run at this size is no exception: the trace stops at the layer that fails (marked in
    `failed`, also the departure), output_hw is None and the fixes are edits of the model.

    >>> import keras
    >>> inputs = keras.Input((75, 75, 1))
    >>> x = keras.layers.Conv2D(4, 3, strides=2, padding="same", name="down")(inputs)
    >>> x = keras.layers.UpSampling2D(2, name="up")(x)
    >>> d = diagnose(keras.Model(inputs, x))
    >>> d.output_hw, d.departure.name
    ((76, 76), 'down')
    >>> x = keras.Input((None, None, 1))
    >>> joined = keras.layers.Add(name="res")([keras.layers.MaxPooling2D(2)(x), x])
    >>> str(diagnose(keras.Model(x, joined), (9, 9, 1))).splitlines()[0]
    'The model does not build at 9x9: res (Add) cannot join 4x4x1 with 9x9x1.'
    """
    if not hasattr(model, "layers") and callable(model):
        return diagnose_builder(model, input_shape, target_shape)  # type: ignore[return-value]
    t, links, failed = trace_model_failure(model, input_shape)
    if target_shape is None:
        target_shape = t.input_shape
    if len(target_shape) not in (2, 3) or None in tuple(target_shape)[:2]:
        raise ShapeError(f"target_shape={target_shape!r} must be (H, W) or (H, W, C) with "
                         "numbers; for a model on (None, None, C), pass input_shape too.")
    target = (int(target_shape[0]), int(target_shape[1]))
    if failed is not None:
        return Diagnosis(t, target, None, failed, False, _edit_fixes(model, target, t),
                         failed=failed)
    out = t.rows[-1].spatial_out if t.rows else t.input_shape[:2]
    departure = None
    if out != target:
        departure = culprit(t, links, target)
    broadcast = out is not None and out != target and any(
        o == 1 and g > 1 for o, g in zip(out, target))
    fixes = suggest(out, target, _graph(model), t.input_shape) \
        if out is not None and None not in out and out != target else []
    return Diagnosis(t, target, out, departure, broadcast, fixes)


def diagnose_builder(build: Any, input_shape: tuple,
                     target_shape: tuple | None = None,
                     ) -> Diagnosis | MergeDiagnosis | ErrorReading | None:
    """Diagnose the model a builder function makes, even one that cannot build at its size.

    `build(input_shape)` is called with (None, None, C) first: a model on any size, traced
    at input_shape, whose fixes apply to it (an Add or Concatenate of unequal maps does not
    stop it from building). A builder that needs fixed sizes (Flatten, Dense) is called
    with input_shape itself; if that raises, the error is explained from the part that
    built (explain_error). A builder without arguments is called as build().

    >>> import keras
    >>> def build(shape):
    ...     x = keras.Input(shape)
    ...     down = keras.layers.Conv2D(4, 3, strides=2, padding="same", name="down")(x)
    ...     return keras.Model(x, keras.layers.Add(name="res")([down, x]))
    >>> str(diagnose_builder(build, (9, 9, 4))).splitlines()[0]
    'The model does not build at 9x9: res (Add) cannot join 5x5x4 with 9x9x4.'
    """
    if not callable(build):
        raise ShapeError(f"build={build!r} must be a function that returns a Keras model, "
                         "e.g. def build(input_shape): ...; or pass the model to diagnose().")
    if input_shape is None or len(input_shape) != 3:
        raise ShapeError(f"input_shape={input_shape!r}: a builder needs the size it fails "
                         "at as (H, W, C), e.g. diagnose_builder(build, (75, 75, 3)).")
    shape = tuple(input_shape)
    calls = [lambda: build((None, None, shape[2])), lambda: build(shape)]
    error: Exception | None = None
    for call in calls:
        try:
            model = call()
        except TypeError as e:  # a builder without an input_shape argument
            error = e
            try:
                model = build()
            except Exception as e2:  # noqa: BLE001 - Keras raises many types; read below
                error = e2
                continue
        except Exception as e:  # noqa: BLE001 - Keras raises many types; read below
            error = e
            continue
        if hasattr(model, "layers"):
            return diagnose(model, shape, target_shape)
    return explain_error(error) if error is not None else None


def _graph(model: Any) -> Any:
    """The model's layer graph, or None when it cannot be read (shared layers...): the
    model then gets the fixes that append layers or change the target, not edits."""
    try:
        return graph_plan(model)
    except ShapeError:
        return None


def _edit_fixes(model: Any, target: tuple[int, int], t: Trace) -> list[Fix]:
    """The fixes that edit a model that cannot run at t's input size (none if unreadable)."""
    try:
        graph = _graph(model)
        return [] if graph is None else suggest(None, target, graph, t.input_shape)
    except Exception:  # noqa: BLE001 - a model without fixes still gets its trace
        return []


def culprit(t: Trace, links: list, target: tuple[int, int]) -> TraceRow | None:
    """The layer that caused the output to miss `target`.

    Each layer has a nominal scale (1/stride down, the stride or size up, 1 otherwise), so
    every feature map has an *ideal* size: the input's times the scales on its way (a
    stride-2 conv of 75 ideally gives 37.5). Scaled so that the output's ideal is the
    target, that is the size the target implies at that depth. Walking the main path (each
    layer's first input) from the input to the output, the culprit is the layer just after
    the last map that still had its implied size: from it on, the sizes never come back.
    So a "valid" conv in a "same" net, the stride-2 layer that rounds an odd size (75 ->
    38: the decoder's exact x2 steps then carry the extra pixel to 76), or the transposed
    conv that lands one pixel short is named, not every later layer that differs. Without
    any on-track map (the scales themselves cannot reach the target: an encoder asked for
    its input's size), it is the first layer whose output differs from the target. A
    padding or cropping right before a strided layer is read as that layer's own padding
    (ResNet's conv1_pad + conv1): the strided layer is named.
    """
    rows = {r.name: r for r in t.rows}
    ideal: dict[str | None, tuple | None] = {None: _fractions(t.input_shape[:2])}
    for row, (source, scale) in zip(t.rows, links):
        base = ideal.get(source)
        if scale is None or row.spatial_out is None or None in row.spatial_out:
            ideal[row.name] = _fractions(row.spatial_out)
        elif base is None:
            ideal[row.name] = None
        else:
            ideal[row.name] = tuple(b * k for b, k in zip(base, scale))
    first = next((r for r in t.rows if r.spatial_out is not None and r.spatial_out != target),
                 None)
    last = t.rows[-1] if t.rows else None
    if last is None or ideal.get(last.name) is None or 0 in ideal[last.name]:
        return first
    factor = tuple(Fraction(g) / i for g, i in zip(target, ideal[last.name]))
    path, name = [], last.name
    sources = {row.name: source for row, (source, _) in zip(t.rows, links)}
    while name is not None and name in rows:
        path.append(name)
        name = sources[name]
    path.reverse()  # input -> output along first inputs
    on_track = [None] if _fits(t.input_shape[:2], ideal[None], factor) else []
    on_track += [n for n in path if _fits(rows[n].spatial_out, ideal.get(n), factor)]
    if not on_track:
        return first
    after = 0 if on_track[-1] is None else path.index(on_track[-1]) + 1
    if after >= len(path):
        return first
    scales = {row.name: scale for row, (_, scale) in zip(t.rows, links)}
    if (rows[path[after]].kind in _PADS and after + 1 < len(path)
            and scales[path[after + 1]] not in (None, (1, 1))):
        after += 1  # a pad for the strided layer after it (ResNet's conv1_pad): that one rounds
    return rows[path[after]]


_PADS = ("ZeroPadding2D", "Cropping2D")


def _fractions(hw: tuple | None) -> tuple | None:
    return None if hw is None or None in hw else tuple(Fraction(v) for v in hw)


def _fits(hw: tuple | None, ideal: tuple | None, factor: tuple) -> bool:
    return (hw is not None and ideal is not None
            and all(h == i * f for h, i, f in zip(hw, ideal, factor)))


def explain_error(exc: BaseException | str, model: Any = None,
                  input_shape: tuple | None = None,
                  ) -> Diagnosis | MergeDiagnosis | ErrorReading | None:
    """Turn a size-mismatch error into a diagnosis (with the model) or a reading of it.

    Without `model`: the ErrorReading, or, for a merge that failed while a functional model
    was being built, explain_merge's diagnosis of the part that built (read from the
    exception's traceback, see helpers.bridge.failed_call). With it: for a loss,
    diagnose(model, ...) against the target size the error names; for a skip or merge error,
    explain_merge's MergeDiagnosis (the merge, both branches' sizes, the layer on each
    branch that made them differ, the input sizes that work, the fixes). None when the
    message is not a size mismatch; never an exception over one it recognised (when the
    model cannot be traced, the reading comes back with why in its summary). Wrong argument
    types get a ShapeError naming the argument.

    >>> explain_error("Incompatible shapes: [2,32,32,1] vs. [2,16,16,1]").kind
    'loss'
    """
    reading = read_error(exc)
    if model is not None and not hasattr(model, "layers"):
        raise ShapeError(f"model={model!r} must be the Keras model that raised the error "
                         "(or None for a reading of the message alone).")
    if input_shape is not None and (not isinstance(input_shape, (tuple, list))
                                    or len(input_shape) not in (2, 3)):
        raise ShapeError(f"input_shape={input_shape!r} must be (H, W) or (H, W, C), the input "
                         "that failed, e.g. input_shape=(75, 75, 3).")
    if reading is None:
        return reading
    lines = [x for x in error_text(exc).splitlines()
             if x.strip() and not x.startswith("Exception encountered")]
    message = (lines or [""])[0][:300]  # the line with the sizes, not Keras's preamble
    if model is None:
        partial = failed_call(exc) if isinstance(exc, BaseException) else None
        if partial is None or reading.kind not in ("skip", "merge"):
            return reading
        return explain_partial(reading, partial, message)  # a model that never built
    if reading.kind in ("skip", "merge"):
        return explain_merge(reading, model, input_shape, message)
    try:
        out_hw = tuple(model.output_shape[1:3])
        if out_hw == reading.target_hw != reading.output_hw:  # an eager y_pred - y_true
            reading = replace(reading, target_hw=reading.output_hw, output_hw=out_hw)
        d = diagnose(model, input_shape=input_shape, target_shape=reading.target_hw)
    except Exception as e:  # noqa: BLE001 - Keras/TF raise many types; the reading stands
        return replace(reading, summary=f"{reading.summary} (the model could not be traced: "
                       f"{error_text(e).splitlines()[0][:200]}; give input_shape=(H, W, C))")
    return replace(d, error=message)
