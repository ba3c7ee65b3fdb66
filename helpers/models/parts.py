"""The pieces every model builder uses: seeding, the input, the output head, and
cropping or padding to a size. Keras is imported inside the functions.

>>> _choice("odd_sizes", "trim", ("pad", "crop"))
Traceback (most recent call last):
...
helpers.errors.ModelError: odd_sizes='trim' is not an option: use one of ['pad', 'crop'].
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from helpers.errors import ModelError
from helpers.shapes import as_shape

__all__ = ["ModelError", "HW"]

HW = tuple[int, int]


def _keras() -> Any:
    import keras

    return keras


def _choice(name: str, value: Any, options: Sequence[str]) -> None:
    if value not in options:
        raise ModelError(f"{name}={value!r} is not an option: use one of {list(options)}.")


def _start(input_shape: Any, seed: int | None) -> tuple[Any, Any, tuple]:
    """(keras, input tensor, (H, W, C)) after seeding Keras."""
    keras = _keras()
    try:
        shape = as_shape(input_shape)
    except ValueError as e:
        raise ModelError(str(e)) from None
    if seed is not None:
        keras.utils.set_random_seed(seed)
    return keras, keras.Input(shape), shape


def _head(x: Any, classes: int | None, out_channels: int | None, channels: int) -> Any:
    """The last 1x1 convolution: class logits, or an image in [0, 1] (sigmoid)."""
    layers = _keras().layers
    if classes is not None:
        if not isinstance(classes, int) or classes < 2:
            raise ModelError(f"classes={classes!r} must be an int >= 2 (e.g. 4 for the shapes "
                             "dataset), or None for an image output.")
        return layers.Conv2D(classes, 1, name="logits")(x)
    return layers.Conv2D(out_channels or channels, 1, activation="sigmoid", name="image")(x)


def _resize_to(x: Any, have: HW, want: HW, name: str) -> Any:
    """Crop (bottom/right) or zero-pad x from `have` to exactly `want` (H, W)."""
    layers = _keras().layers
    if have == want:
        return x
    crop = tuple((0, max(h - w, 0)) for h, w in zip(have, want))
    pad = tuple((0, max(w - h, 0)) for h, w in zip(have, want))
    if any(c for _, c in crop):
        x = layers.Cropping2D(crop, name=f"{name}_crop")(x)
    if any(p for _, p in pad):
        x = layers.ZeroPadding2D(pad, name=f"{name}_pad")(x)
    return x
