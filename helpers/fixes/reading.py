"""Read a Keras/TensorFlow size-mismatch message: which sizes met, and where.

Recognised (checked live against Keras 3 in tests/test_errors_read.py):
- kind "loss": y_true vs y_pred of a loss, in fit/evaluate/train_on_batch (graph
  messages, with the loss's name), in a direct call (eager or NumPy messages), and the
  cross-entropies' `target`/`output` messages;
- kind "skip": a Concatenate (any axis), at build time (functional API on fixed sizes)
  and at run time (a model on keras.Input((None, None, C)) run on an odd size);
- kind "merge": an element-wise merge (Add, Subtract, Multiply, Average, Maximum,
  Minimum), at build time and at run time.

>>> read_error("Inputs have incompatible shapes. Received shapes (8, 8, 4) and (7, 7, 4)").kind
'merge'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpers.bridge import error_text
from helpers.shapes import size_text

__all__ = ["ErrorReading", "read_error"]

_SIZES = [  # two shapes, batch first, in every message a merge or a loss can give
    re.compile(r"with input shapes: \[([^\]]*)\], \[([^\]]*)\]"),
    re.compile(r"Incompatible shapes: \[([^\]]*)\] vs\. \[([^\]]*)\]"),
    re.compile(r"shape\[0\] = \[([^\]]*)\] vs\. shape\[1\] = \[([^\]]*)\]"),
    re.compile(r"input_shape=\[\(([^)]*)\), \(([^)]*)\)"),
    re.compile(r"broadcast together with shapes \(([^)]*)\) \(([^)]*)\)"),
]
_CALL = re.compile(r"calling (Add|Subtract|Multiply|Average|Maximum|Minimum|Concatenate)"
                   r"\.call\(\)")
_MERGE_BUILD = re.compile(r"Inputs have incompatible shapes\. Received shapes "
                          r"\(([^)]*)\) and \(([^)]*)\)")
_CONCAT_BUILD = re.compile(r"A `Concatenate` layer requires inputs with matching shapes")
_CONCAT_OP = re.compile(r"ConcatOp : Dimension \d+ in both shapes must be equal")
_FIT_LOSS = re.compile(r"Dimensions must be equal, but are \d+ and \d+ for "
                       r"'\{\{node compile_loss/(\w+)/[^}]*\}\} = "
                       r"\w+\[[^\]]*\]\(([^,]*), ([^)]*)\)")
_TARGET_OUTPUT = re.compile(r"Arguments `target` and `output` must have the same shape"
                            r"(?P<last> up until the last dimension)?.*?target\.shape="
                            r"\(([^)]*)\), output\.shape=\(([^)]*)\)", re.S)
_EAGER = re.compile(r"Incompatible shapes: \[|operands could not be broadcast together")
_PRED_FIRST = {"msle", "mean_squared_logarithmic_error", "huber", "log_cosh"}  # y_pred - y_true


def _dims(text: str) -> tuple:
    return tuple(None if v.strip() in ("None", "?", "") else int(v)
                 for v in text.split(",") if v.strip())


@dataclass(frozen=True)
class ErrorReading:
    """What a mismatch error says, in plain words: which sizes met, and where.

    For a loss, target_hw and output_hw are y_true's and y_pred's (H, W); for a "skip"
    (Concatenate) or a "merge" (Add, Multiply, ...), the two inputs' (H, W), in the
    order Keras gives them (running map first, in our models), and `layer` the class.
    `shapes` holds both full shapes without the batch axis, when the message gives them.
    """

    kind: str  # "loss", "skip" (Concatenate) or "merge" (an element-wise merge)
    loss: str | None
    target_hw: tuple | None
    output_hw: tuple | None
    summary: str
    layer: str | None = None  # the Keras merge class, when the message names it
    shapes: tuple = ()


def _two(text: str, batch: bool = True) -> tuple[tuple, tuple] | None:
    for pattern in _SIZES:
        m = pattern.search(text)
        if m:
            a, b = _dims(m.group(1)), _dims(m.group(2))
            return (a[1:], b[1:]) if batch else (a, b)
    return None


def _merge(kind: str, layer: str | None, a: tuple, b: tuple) -> ErrorReading:
    what = layer or "an element-wise merge (Add, Multiply, ...)"
    rule = ("concatenation needs equal sizes on every axis but the joined one"
            if kind == "skip" else "it needs equal height, width and channels (or 1, broadcast)")
    where = "a skip connection (Concatenate)" if kind == "skip" else what
    return ErrorReading(kind, None, a[:2] or None, b[:2] or None,
                        f"{where} joined a {size_text(a)} map with a {size_text(b)} map; {rule}",
                        layer or ("Concatenate" if kind == "skip" else None), (a, b))


def _loss(loss: str | None, target: tuple, output: tuple) -> ErrorReading:
    return ErrorReading("loss", loss, target[:2] or None, output[:2] or None,
                        f"the loss compared y_true of {size_text(target[:2])} with y_pred of "
                        f"{size_text(output[:2])}", None, (target, output))


def read_error(exc: BaseException | str) -> ErrorReading | None:
    """Recognise a Keras/TensorFlow size-mismatch message; None if it is not one.

    `exc` is the exception or its text; anything else is a ShapeError naming `exc`.

    >>> read_error("Incompatible shapes: [2,32,32,1] vs. [2,16,16,1] [Op:Sub]").summary
    'the loss compared y_true of 32x32 with y_pred of 16x16'
    """
    if not isinstance(exc, (BaseException, str)):
        from helpers.shapes import ShapeError

        raise ShapeError(f"exc={exc!r} must be the exception Keras raised (or its message), "
                         "e.g. `except Exception as e: read_error(e)`.")
    text = error_text(exc)
    call = _CALL.search(text)
    if call and _two(text):  # a merge layer failing at run time (graph or eager)
        a, b = _two(text)
        return _merge("skip" if call.group(1) == "Concatenate" else "merge", call.group(1), a, b)
    m = _MERGE_BUILD.search(text)
    if m:
        return _merge("merge", None, _dims(m.group(1)), _dims(m.group(2)))
    if (_CONCAT_BUILD.search(text) or _CONCAT_OP.search(text)) and _two(text):
        return _merge("skip", "Concatenate", *_two(text))
    m = _FIT_LOSS.search(text)
    if m and _two(text):
        target, output = _two(text)
        first, second = m.group(2).strip(), m.group(3).strip()
        if m.group(1) in _PRED_FIRST or (second.startswith("data") and
                                         not first.startswith("data")):
            target, output = output, target  # the loss computes y_pred - y_true
        return _loss(m.group(1), target, output)
    m = _TARGET_OUTPUT.search(text)
    if m:
        loss = "sparse_categorical_crossentropy" if m.group("last") else "crossentropy"
        return _loss(loss, _dims(m.group(2))[1:], _dims(m.group(3))[1:])
    if _EAGER.search(text) and _two(text):
        return _loss(None, *_two(text))
    return None
