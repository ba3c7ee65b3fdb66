"""Data previews: a grid of sample images with their masks overlaid.

>>> import numpy as np
>>> fig = samples(np.zeros((2, 8, 8, 3)), ncols=2)
>>> len(fig.axes)
2
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .style import _figure, _mask_rgba

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["samples"]


def samples(images: np.ndarray, masks: np.ndarray | None = None,
            titles: Sequence[str] | None = None, ncols: int = 8,
            axes: Sequence[Axes] | None = None, alpha: float = 0.5) -> Figure:
    """A figure with one panel per image (N, H, W, 3) in [0, 1], masks overlaid if given.

    Pass ``axes`` (at least N of them) to draw into an existing figure; panel
    ``i`` gets ``titles[i]`` and, with ``masks``, ``masks[i]`` in
    :data:`CLASS_COLOURS` at opacity ``alpha``.

    >>> import numpy as np
    >>> fig = samples(np.zeros((3, 8, 8, 3)), masks=np.ones((3, 8, 8), int), ncols=2)
    >>> len(fig.axes), len(fig.axes[0].images)
    (4, 2)
    """
    images = np.asarray(images)
    n = len(images)
    if axes is None:
        nrows = -(-n // ncols)
        fig = _figure((1.3 * min(ncols, n), 1.3 * nrows + 0.2 * bool(titles)))
        grid = fig.subplots(nrows, min(ncols, n), squeeze=False)
        axes = list(grid.ravel())
        for ax in axes[n:]:
            ax.set_axis_off()
    fig = axes[0].figure
    for i in range(n):
        ax = axes[i]
        ax.imshow(np.clip(images[i], 0, 1), interpolation="nearest")
        if masks is not None:
            ax.imshow(_mask_rgba(np.asarray(masks[i]), alpha), interpolation="nearest")
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig

