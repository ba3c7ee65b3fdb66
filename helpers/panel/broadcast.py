"""The silent broadcast, said after the cell: a `model.fit(x, y)` that trained without an
error although the model's output has size 1 where the target has a map (MSE stretches
the 1x1 output over the whole target and learns one value).

Keras raises nothing, so nothing raises for the extension to catch; and it is not
patched. After each cell that ran without an error, `fitted_in` finds its calls
`name.fit(x_name, y_name, ...)` (names only: an expression it cannot resolve is left
alone), and `training.check_target` compares that model's output with that y.

>>> fitted_in("hist = squeezed.fit(images, images, epochs=2)\\nother(x)")
[('squeezed', 'images', 'images')]
"""

from __future__ import annotations

import ast

from helpers.errors import ShapeMismatchError
from helpers.training import check_target

__all__ = ["fitted_in", "silent_broadcasts"]


def fitted_in(source: str) -> list[tuple[str, str, str]]:
    """(model, x, y) names of every `model.fit(x, y, ...)` call with plain names, each once.

    >>> fitted_in("m.fit(a, b); m.fit(a, b, epochs=2); n.fit(x=a, y=c)")
    [('m', 'a', 'b'), ('n', 'a', 'c')]
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics and shell escapes: not Python
        return []
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "fit" and isinstance(node.func.value, ast.Name)):
            continue
        given = dict(zip(("x", "y"), node.args))
        given.update({k.arg: k.value for k in node.keywords if k.arg in ("x", "y")})
        if all(isinstance(given.get(k), ast.Name) for k in ("x", "y")):
            names = (node.func.value.id, given["x"].id, given["y"].id)
            found += [names] if names not in found else []
    return found


def silent_broadcasts(source: str, namespace: dict) -> list[str]:
    """What to tell the learner about each fit of this cell whose output was broadcast
    over its target (training.check_target's words), none when every fit was fine."""
    import keras

    said = []
    for model_name, x_name, y_name in fitted_in(source):
        model, x, y = (namespace.get(n) for n in (model_name, x_name, y_name))
        if not isinstance(model, keras.Model) or not hasattr(y, "shape"):
            continue
        try:
            check_target(model, y, x if hasattr(x, "shape") else None,
                         getattr(model, "loss", None))
        except ShapeMismatchError as e:
            if "broadcast" in str(e):
                said.append(f"{model_name}.fit({x_name}, {y_name}) trained without an error, "
                            f"but: {str(e).removeprefix('train refuses to start: ')}")
        except Exception:  # noqa: BLE001 - a check that cannot run says nothing
            continue
    return said
