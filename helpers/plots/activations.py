"""Feature maps: what every layer of a Keras model outputs, drawn at its true size.

Keras is imported inside `feature_maps`, so importing this module stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .style import FONT, PlotError, _figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["feature_maps"]


def _activations(model: Any, image: np.ndarray) -> tuple[list[tuple[str, np.ndarray]], list[str]]:
    """(name, (H, W, C) activation) for every layer whose output is a feature map, and
    the names of the layers skipped because their output is not one."""
    import keras

    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    kept, skipped, outputs = [], [], []
    for layer in layers:
        try:
            out = layer.output
        except (AttributeError, ValueError):  # a layer shared by several calls
            skipped.append(layer.name)
            continue
        if isinstance(out, (list, tuple)) or len(out.shape) != 4:
            skipped.append(layer.name)
            continue
        kept.append(layer.name)
        outputs.append(out)
    if not outputs:
        return [], skipped
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    if isinstance(inputs, list):
        raise PlotError(f"model {model.name!r} has {len(inputs)} inputs; feature_maps draws "
                        "models with one image input.")
    probe = keras.Model(inputs, outputs)
    values = probe(image[None].astype("float32"), training=False)
    values = values if isinstance(values, (list, tuple)) else [values]
    return [(name, np.asarray(keras.ops.convert_to_numpy(v))[0])
            for name, v in zip(kept, values)], skipped


def _normalised(a: np.ndarray) -> np.ndarray:
    """One channel scaled to [0, 1] (a constant map becomes mid-grey)."""
    low, high = float(a.min()), float(a.max())
    return np.full_like(a, 0.5) if high - low < 1e-12 else (a - low) / (high - low)


def _one_image(image: np.ndarray) -> np.ndarray:
    """(H, W, C) from (H, W, C) or a batch of one; PlotError for anything else."""
    image = np.asarray(image)
    if image.ndim == 4 and len(image) == 1:
        image = image[0]
    if image.ndim != 3:
        raise PlotError(f"image has shape {image.shape}; give one image (H, W, C) such as "
                        "x_test[0], not a batch.")
    return image


def _draw_map(ax: Axes, a: np.ndarray, i: int, span: float, tall: int, colour: bool) -> None:
    """Channel i of a (H, W, C) map, centred in a panel span pixels wide and tall high
    (the input, with colour=True, is drawn whole in row 0: RGB or grey)."""
    h, w, c = a.shape
    ax.set_xlim(0, span)
    ax.set_ylim(tall, 0)
    ax.set_aspect("equal")
    ax.set_axis_off()
    extent = ((span - w) / 2, (span + w) / 2, h, 0)
    if colour and i == 0 and c == 3:
        ax.imshow(np.clip(a, 0, 1), extent=extent, interpolation="nearest")
    elif (i == 0 if colour else i < c):
        ax.imshow(_normalised(a[..., i]), cmap="gray" if colour else "viridis", vmin=0, vmax=1,
                  extent=extent, interpolation="nearest")


def feature_maps(model: Any, image: np.ndarray, max_channels: int = 4) -> Figure:
    """A figure of each layer's first channels for one image, every map at its true size:
    a column per layer (input first), a row per channel, one pixel the same size everywhere.

    Layers whose output is not a feature map (Flatten, Dense, ...) are listed under
    the figure instead. Each channel is scaled to its own min..max (viridis).

    Example (needs Keras)::

        fig = feature_maps(model, x_test[0], max_channels=3)
    """
    image = _one_image(image)
    if not isinstance(max_channels, int) or max_channels < 1:
        raise PlotError(f"max_channels={max_channels!r} must be a positive int, e.g. 4.")
    maps, skipped = _activations(model, image)
    columns = [("input", image), *maps]
    tall = max(a.shape[0] for _, a in columns)
    wide = max(a.shape[1] for _, a in columns)
    spans = [max(a.shape[1], 0.45 * wide) for _, a in columns]  # room for each title
    rows = min(max_channels, max(a.shape[2] for _, a in columns))
    scale = min(1.6 / tall, 13.0 / sum(spans))  # inches per pixel
    fig = _figure((max(5.5, sum(spans) * scale * 1.12 + 0.9), rows * tall * scale * 1.1 + 1.3))
    grid = fig.add_gridspec(rows, len(columns), width_ratios=spans, wspace=0.12, hspace=0.1,
                            left=0.07, right=0.98)
    for j, ((name, a), span) in enumerate(zip(columns, spans)):
        for i in range(rows):
            ax = fig.add_subplot(grid[i, j])
            _draw_map(ax, a, i, span, tall, colour=name == "input")
            if i == 0:
                ax.set_title(f"{name}\n{'x'.join(map(str, a.shape))}", fontsize=FONT["small"])
            if j == 0:
                box = ax.get_position()
                fig.text(0.045, (box.y0 + box.y1) / 2, f"channel {i}", rotation=90,
                         ha="right", va="center", fontsize=FONT["small"])
    fig.suptitle(f"Feature maps of '{getattr(model, 'name', 'model')}', drawn to scale",
                 fontsize=FONT["title"])
    note = (f"layers left to right, their first {rows} channels top to bottom (the input in "
            "colour)\na pixel is the same size in every map")
    if skipped:
        note += f"\nnot feature maps, left out: {', '.join(skipped)}"
    fig.supxlabel(note, fontsize=FONT["small"])
    return fig
