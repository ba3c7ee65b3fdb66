"""The shape engine: exact feature-map sizes, without TensorFlow.

Everything a notebook or widget needs to know about sizes lives here:
per-axis arithmetic (`conv_out`, `pool_out`, `deconv_out`), layer specs that
mirror Keras (`Conv2D(16, 3, strides=2)`), and `trace`/`trace_model`.

>>> from helpers import shapes
>>> shapes.conv_out(28, 3, stride=2)
13
"""

from .arithmetic import (
    ONEDNN_ONLY,
    ShapeError,
    conv_out,
    deconv_out,
    deconv_paddings,
    dilated,
    dropped_pixels,
    pool_out,
    same_padding,
)
from .layers import (
    AveragePooling2D,
    Conv2D,
    Conv2DTranspose,
    DepthwiseConv2D,
    Layer,
    MaxPooling2D,
    SeparableConv2D,
    Shape,
)
from .receptive import ReceptiveField, receptive_field
from .sizing import CenterCrop, Concatenate, Cropping2D, Resizing, UpSampling2D, ZeroPadding2D
from .trace import Trace, TraceRow, layer_names, to_keras_model, trace, trace_model

__all__ = [
    "ShapeError", "conv_out", "pool_out", "deconv_out", "deconv_paddings", "dilated",
    "dropped_pixels", "same_padding", "ONEDNN_ONLY",
    "Layer", "Shape", "Conv2D", "SeparableConv2D", "DepthwiseConv2D", "MaxPooling2D",
    "AveragePooling2D", "Conv2DTranspose",
    "UpSampling2D", "Cropping2D", "ZeroPadding2D", "Resizing", "CenterCrop", "Concatenate",
    "Trace", "TraceRow", "trace", "trace_model", "to_keras_model", "layer_names",
    "ReceptiveField", "receptive_field",
]
