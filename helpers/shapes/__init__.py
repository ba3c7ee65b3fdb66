"""The shape engine: exact feature-map sizes, without TensorFlow.

Everything a notebook or widget needs to know about sizes lives here:
per-axis arithmetic (`conv_out`, `pool_out`, `deconv_out`), layer specs that
mirror Keras (`Conv2D(16, 3, strides=2)`), `trace`, and the geometry the pictures
draw (`conv_windows`, `overlap`, `size_verdict`). Pure Python: nothing here imports
Keras or TensorFlow, not even lazily (helpers.bridge crosses into Keras).

>>> from helpers import shapes
>>> shapes.conv_out(28, 3, stride=2)
13
"""

from .arithmetic import (
    ONEDNN_ONLY,
    ShapeError,
    centred_edges,
    centred_split,
    conv_out,
    deconv_out,
    deconv_paddings,
    dilated,
    dropped_pixels,
    pool_out,
    same_padding,
)
from .correspondence import Correspondence, correspondence
from .decoder import PadPlan, mirror_decoder, pad_to_valid, valid_input_sizes
from .geometry import ConvWindows, Overlap, conv_windows, overlap, overlap_counts, size_verdict
from .graph import INPUT, Graph, Node, Size, as_graph
from .landing import land, land_pair
from .layers import (
    AveragePooling2D,
    Conv2D,
    Conv2DTranspose,
    DepthwiseConv2D,
    MaxPooling2D,
    SeparableConv2D,
)
from .merges import MERGES, Add, Average, Maximum, Merge, Minimum, Multiply, Subtract
from .receptive import ReceptiveField, receptive_field
from .sizing import (
    CenterCrop,
    Concatenate,
    Cropping2D,
    ReflectPadding2D,
    Resizing,
    UpSampling2D,
    ZeroPadding2D,
)
from .spec import Layer, Shape, as_shape, edges, pair, size_text
from .trace import Trace, TraceRow, layer_names, trace, trace_until
from .unet import CURES, UNetPlan, unet_plan, unet_specs

__all__ = [
    "Correspondence", "correspondence",
    "ShapeError", "conv_out", "pool_out", "deconv_out", "deconv_paddings", "dilated",
    "dropped_pixels", "same_padding", "ONEDNN_ONLY", "centred_split", "centred_edges",
    "Layer", "Shape", "Conv2D", "SeparableConv2D", "DepthwiseConv2D", "MaxPooling2D",
    "AveragePooling2D", "Conv2DTranspose",
    "UpSampling2D", "Cropping2D", "ZeroPadding2D", "Resizing", "CenterCrop", "Concatenate",
    "Trace", "TraceRow", "trace", "trace_until", "layer_names", "pair", "edges", "as_shape",
    "size_text",
    "ReflectPadding2D",
    "ReceptiveField", "receptive_field",
    "land", "land_pair", "mirror_decoder", "valid_input_sizes", "pad_to_valid", "PadPlan",
    "ConvWindows", "conv_windows", "Overlap", "overlap", "overlap_counts", "size_verdict",
    "CURES", "unet_specs", "UNetPlan", "unet_plan",
    "Graph", "Node", "Size", "as_graph", "INPUT",
    "Merge", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "MERGES",
]
