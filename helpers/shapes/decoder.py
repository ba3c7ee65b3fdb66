"""Decoders that return exactly to the input size, and the input sizes that survive.

>>> enc = [Conv2D(8, 3, strides=2, padding="same"), Conv2D(16, 3, strides=2, padding="same")]
>>> dec = mirror_decoder(enc, (75, 75, 3))
>>> [row.output_shape for row in trace((75, 75, 3), enc + dec)]
[(38, 38, 8), (19, 19, 16), (38, 38, 8), (75, 75, 3)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .arithmetic import ShapeError, centred_edges, dilated
from .graph import Graph, as_graph
from .landing import land_pair
from .layers import Conv2D, Conv2DTranspose, DepthwiseConv2D, MaxPooling2D
from .merges import Merge
from .sizing import Concatenate, Cropping2D, Resizing, ZeroPadding2D  # noqa: F401 (doctest)
from .spec import Layer, as_shape, edges, pair
from .trace import trace

__all__ = ["mirror_decoder", "valid_input_sizes", "pad_to_valid", "PadPlan"]


def _window(layer: Layer) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(kernel_size, strides) of a conv or pooling layer, as pairs."""
    if isinstance(layer, (Conv2D, DepthwiseConv2D)):
        return pair("kernel_size", layer.kernel_size), pair("strides", layer.strides)
    if isinstance(layer, MaxPooling2D):
        k = pair("pool_size", layer.pool_size)
        return k, k if layer.strides is None else pair("strides", layer.strides)
    return None


def _undo(layer: Layer, shape_in: tuple, shape_out: tuple) -> Layer | None:
    """One layer that takes shape_out back to shape_in's height, width and channels."""
    hw_in, hw_out, channels = shape_in[:2], shape_out[:2], shape_in[2]
    if isinstance(layer, Cropping2D):
        return ZeroPadding2D(edges("cropping", layer.cropping))
    if isinstance(layer, ZeroPadding2D):
        return Cropping2D(edges("padding", layer.padding))
    window = _window(layer)
    if window is None:
        if hw_in == hw_out:
            return None
        return Resizing(*hw_in)
    dilation = pair("dilation_rate", getattr(layer, "dilation_rate", 1))
    if max(dilation) > 1:  # the undilated kernel of the same span (dilated: oneDNN only)
        span = tuple(dilated(k, d) for k, d in zip(window[0], dilation))
        up = Conv2DTranspose(channels, span, 1, layer.padding)
        if up.output_shape(shape_out)[:2] == hw_in:
            return up
    args = land_pair(hw_out, hw_in, prefer=window)
    if args is None:
        raise ShapeError(f"{layer.kind}: no single Conv2DTranspose goes from {hw_out} back to "
                         f"{hw_in}; use a Resizing or a crop/pad after the decoder.")
    return Conv2DTranspose(channels, **args)


def mirror_decoder(encoder_layers: Sequence[Layer], input_hw: tuple) -> list[Layer]:
    """The transposed-conv decoder that undoes an encoder exactly, layer by layer.

    Each conv or pooling layer that changes the size is mirrored by a Conv2DTranspose
    with the same kernel and stride where possible; output_padding (and, when it must,
    padding or kernel) is chosen so that odd sizes round-trip: 75 -> 38 -> 19 -> 38 -> 75.
    The last layer gives back the input's channels.

    >>> dec = mirror_decoder([MaxPooling2D(2)], (75, 75))
    >>> dec[0].output_shape((37, 37, 1))
    (75, 75, 1)
    """
    shape = as_shape(input_hw)
    rows = trace(shape, encoder_layers).rows
    decoder = []
    for layer, row in zip(reversed(encoder_layers), reversed(rows)):
        if isinstance(layer, Merge) or row.input_shape[:2] == row.output_shape[:2]:
            continue
        undo = _undo(layer, row.input_shape, row.output_shape)
        if undo is not None:
            decoder.append(undo)
    channels = trace(shape, [*encoder_layers, *decoder]).output_shape[2]
    if channels != shape[2]:  # end on the input's channels, as an autoencoder must
        if decoder and isinstance(decoder[-1], Conv2DTranspose):
            decoder[-1] = replace(decoder[-1], filters=shape[2])
        else:
            decoder.append(Conv2D(shape[2], 1))
    return decoder


def _survives(graph: Graph, h: int, w: int) -> bool:
    return graph.output_hw(h, w) == (h, w)


def valid_input_sizes(layers: Sequence[Layer] | Graph, lo: int, hi: int) -> list[int]:
    """Square input sizes n in [lo, hi] that the network (a chain of specs, or a model's
    Graph: residual and attention joins too) takes without an error and returns at
    exactly n x n (skips included).

    >>> unet = [Conv2D(4, 3, padding="same", name="s1"), MaxPooling2D(2),
    ...         Conv2D(4, 3, padding="same", name="s2"), MaxPooling2D(2),
    ...         Conv2DTranspose(4, 2, strides=2), Concatenate(skip="s2"),
    ...         Conv2DTranspose(4, 2, strides=2), Concatenate(skip="s1")]
    >>> valid_input_sizes(unet, 30, 45)
    [32, 36, 40, 44]
    """
    if not (isinstance(lo, int) and isinstance(hi, int) and 1 <= lo <= hi):
        raise ShapeError(f"lo={lo!r}, hi={hi!r}: give two ints with 1 <= lo <= hi, e.g. 16, 256.")
    graph = as_graph(layers)
    return [n for n in range(lo, hi + 1) if _survives(graph, n, n)]


@dataclass(frozen=True)
class PadPlan:
    """How to pad an input to a size the network survives, and crop the output back."""

    input_hw: tuple[int, int]
    padded_hw: tuple[int, int]
    padding: tuple[tuple[int, int], tuple[int, int]]

    def pad(self) -> ZeroPadding2D:
        """The layer to put before the network."""
        return ZeroPadding2D(self.padding)

    def crop(self) -> Cropping2D:
        """The layer to put after the network, back to the input size."""
        return Cropping2D(self.padding)


def _square_search(layers: Graph, h: int, w: int, limit: int) -> tuple | None:
    """The least (H, W) >= (h, w) that survives, for specs that treat both axes alike.

    Each axis is then checked on its own along the diagonal (n x n survives exactly
    when n suits both axes): a few dozen traces instead of thousands."""
    sides = [next((n for n in range(start, limit + 1) if _survives(layers, n, n)), None)
             for start in (h, w)]
    if None in sides or not _survives(layers, *sides):
        return None
    return tuple(sides)


def pad_to_valid(hw: tuple[int, int], layers: Sequence[Layer] | Graph,
                 limit: int = 1024) -> PadPlan:
    """The least zero-padding (odd pixel at the bottom/right) that makes hw a size the
    network (a chain of specs or a Graph) survives.

    >>> pad_to_valid((75, 75), [MaxPooling2D(2), MaxPooling2D(2),
    ...                          Conv2DTranspose(1, 2, strides=2),
    ...                          Conv2DTranspose(1, 2, strides=2)]).padding
    ((0, 1), (0, 1))
    """
    h, w = hw
    layers = as_graph(layers)
    if layers.symmetric():  # exact: each axis on its own, along the diagonal
        found = _square_search(layers, h, w, limit)
    else:  # the general case: row by row, up to 65 widths per row
        found = next(((th, tw) for th in range(h, limit + 1)
                      for tw in range(w, min(w + 66, limit + 1)) if _survives(layers, th, tw)),
                     None)
    if found:
        return PadPlan((h, w), found, centred_edges(found, (h, w)))
    raise ShapeError(f"hw={hw}: no padded size up to {limit} survives this network; check that "
                     "its decoder undoes its encoder (see mirror_decoder).")
