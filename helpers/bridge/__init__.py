"""The Keras bridge: every crossing between shape-engine specs and Keras happens here.

Spec to layer (`keras_layer`), specs to model (`keras_model`), Keras layer to spec
(`spec_of`), Keras model to trace (`trace_model`), and the project's own Keras
layers (ReflectPadding2D's). The pure part (`helpers.shapes`) never imports Keras;
this package imports it inside its functions, so importing it stays cheap.

>>> from helpers.shapes import Conv2D
>>> keras_model((28, 28, 1), [Conv2D(8, 3, strides=2)]).output_shape
(None, 13, 13, 8)
"""

from .layers import keras_layer, reflect_padding_class, spec_of
from .models import (
    CANNOT_RUN,
    FROM_KERAS,
    WILL_FAIL,
    error_text,
    keras_model,
    trace_model,
    trace_model_failure,
    trace_model_links,
    trace_model_until,
)
from .partial import PartialGraph, failed_call, model_in_traceback
from .plan import graph_plan, tensor_names
from .rebuild import edited_model

__all__ = ["keras_layer", "keras_model", "spec_of", "trace_model", "reflect_padding_class",
           "error_text", "FROM_KERAS", "WILL_FAIL", "trace_model_until", "trace_model_links",
           "trace_model_failure", "CANNOT_RUN",
           "edited_model", "graph_plan", "tensor_names",
           "PartialGraph", "failed_call", "model_in_traceback"]
