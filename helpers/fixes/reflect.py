"""ReflectPadding2D: pad a feature map by mirroring its border (Keras has no such layer).

The shape spec lives here (pure Python, for trace() and widgets); the Keras layer
is built on demand by `to_keras()`, so importing this module needs no TensorFlow.

>>> ReflectPadding2D(((1, 2), (0, 1))).output_shape((8, 8, 3))
(11, 9, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from helpers.shapes import ShapeError, ZeroPadding2D
from helpers.shapes.layers import _edges

__all__ = ["ReflectPadding2D", "reflect_layer_class"]


@dataclass(frozen=True)
class ReflectPadding2D(ZeroPadding2D):
    """Like ZeroPadding2D, but the new pixels mirror the border instead of being 0.

    Each side can add at most n - 1 pixels (a mirror cannot reach past the far edge).
    """

    keras_name: ClassVar[str] = "reflect_padding2d"

    def _axis(self, axis: int, n: int) -> int:
        a, b = _edges("padding", self.padding)[axis]
        if max(a, b) > n - 1:
            raise ShapeError(f"ReflectPadding2D padding {(a, b)} on {n} pixels: reflection can "
                             f"add at most {n - 1} per side; use ZeroPadding2D or pad less.")
        return super()._axis(axis, n)

    def to_keras(self) -> Any:
        """The Keras layer (a small custom Layer using keras.ops.pad(mode="reflect"))."""
        return reflect_layer_class()(padding=_edges("padding", self.padding), name=self.name)


_CLASS: list[Any] = []


def reflect_layer_class() -> Any:
    """The Keras Layer class, defined on first use so that Keras loads lazily."""
    if _CLASS:
        return _CLASS[0]
    import keras

    @keras.saving.register_keras_serializable(package="cnnlab")
    class ReflectPadding2DLayer(keras.layers.Layer):
        def __init__(self, padding: Any = ((1, 1), (1, 1)), **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.padding = tuple(tuple(int(v) for v in p) for p in padding)

        def call(self, x: Any) -> Any:
            return keras.ops.pad(x, ((0, 0), *self.padding, (0, 0)), mode="reflect")

        def compute_output_shape(self, shape: tuple) -> tuple:
            (t, b), (left, r) = self.padding
            h = None if shape[1] is None else shape[1] + t + b
            w = None if shape[2] is None else shape[2] + left + r
            return shape[0], h, w, shape[3]

        def get_config(self) -> dict:
            return {**super().get_config(), "padding": self.padding}

    _CLASS.append(ReflectPadding2DLayer)
    return ReflectPadding2DLayer
