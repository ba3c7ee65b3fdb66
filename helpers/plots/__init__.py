"""The project's matplotlib figures: one function per picture, same colours everywhere.

Nothing here imports TensorFlow or Keras, and importing the package does not
import matplotlib either: each function imports what it draws with. Every
function returns the Figure; most accept ``ax=`` to draw into yours.

- `size_diagram` (and `SizeDiagramView`): the network as blocks sized by H.
- `conv_grid` (and `ConvGridView`): a convolution's windows on the input grid.
- `transpose_grid`, `overlap_map`: how a transposed convolution spreads pixels.
- `feature_maps`: every layer's activations at their true relative sizes.
- `loss_curves`, `predictions`: training results, one colour per strategy.
- `samples`: a data preview with masks overlaid.
- `decision_guide` (and `Branch`): the flow chart of notebook 06, from measured results.
- `cache_text`: the label cache that makes the views' redraws fast (textcache.py).

>>> PALETTE["blue"]
'#0072B2'
"""

from .activations import feature_maps
from .convolution import ConvGridView, conv_grid
from .guide import Branch, decision_guide
from .network import SizeDiagramView, size_diagram, size_verdict
from .previews import samples
from .results import loss_curves, predictions
from .style import CLASS_COLOURS, FONT, PALETTE, PlotError
from .textcache import cache_text
from .transposed import overlap_counts, overlap_map, transpose_grid

__all__ = [
    "Branch", "decision_guide",
    "CLASS_COLOURS", "FONT", "PALETTE", "PlotError",
    "SizeDiagramView", "size_diagram", "size_verdict",
    "ConvGridView", "conv_grid",
    "transpose_grid", "overlap_map", "overlap_counts",
    "feature_maps", "loss_curves", "predictions", "samples", "cache_text",
]
