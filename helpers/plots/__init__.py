"""The project's pictures: one per concept, same colours and fonts everywhere (style.py).

The live pictures are SVG (`SvgPicture`: crisp, rebuilt in well under a
millisecond, shown inline by Jupyter); they draw geometry the pure part computes
(`shapes.conv_windows`, `shapes.overlap`, `shapes.trace`, `shapes.size_verdict`),
and the explorers show the very same pictures. The static figures are matplotlib;
nothing here imports TensorFlow or Keras, and importing the package imports no
matplotlib either: each figure imports what it draws with.

- `correspondence_svg`: the principle, which target pixel each output pixel is compared with.
- `conv_svg`: a convolution's windows on the input grid, and what they miss.
- `overlap_svg`: how a transposed convolution paints its output, and the overlap.
- `size_diagram`: the network as blocks sized by H, against the target.
- `croppad_svg`: where an output meets its target when cropping or padding.
- `unet_svg`: a U-Net's sizes level by level, and whether each skip joins.
- `loss_svg` (live, one run) and `loss_curves` (static, several runs, log scale):
  the loss per epoch, from the same series (`loss_series`, `best_epoch`) and style.
- `predictions`: each strategy's output beside its target, at true size.
- `seed_ranges`: each strategy's scores over seeds, min to max: what they can rank.
- `samples`: a data preview with masks overlaid.
- `decision_guide` (and `Branch`): the flow chart of notebook 06, from measured results.
- `SvgPicture`, `svg_document`, `svg_rect`, `svg_line`, `svg_text`: SVG primitives.

>>> PALETTE["blue"]
'#0072B2'
"""

from .convolution import conv_svg
from .correspondence import correspondence_svg
from .croppad import croppad_svg
from .guide import Branch, decision_guide
from .losses import best_epoch, loss_curves, loss_series, loss_svg
from .network import size_diagram
from .previews import samples
from .results import predictions, seed_ranges
from .style import (
    CLASS_COLOURS,
    FONT,
    GREY,
    LIGHT,
    MARKS,
    OK,
    PALETTE,
    SERIES,
    WARN,
    PlotError,
    contrast,
    readable,
)
from .svg import SvgPicture, svg_document, svg_line, svg_rect, svg_text
from .transposed import overlap_svg
from .unet import unet_svg

__all__ = [
    "Branch", "decision_guide", "correspondence_svg",
    "CLASS_COLOURS", "FONT", "GREY", "LIGHT", "MARKS", "OK", "PALETTE", "SERIES", "WARN",
    "PlotError", "contrast", "readable",
    "SvgPicture", "svg_document", "svg_line", "svg_rect", "svg_text",
    "conv_svg", "overlap_svg", "size_diagram", "croppad_svg", "unet_svg",
    "best_epoch", "loss_curves", "loss_series", "loss_svg",
    "predictions", "samples", "seed_ranges",
]
