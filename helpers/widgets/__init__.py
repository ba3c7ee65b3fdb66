"""Live widgets: drag stride, kernel and padding and see every size change at once.

Every factory returns an ipywidgets widget (JupyterLab, Notebook, VS Code, Colab)
whose state is readable and settable from code (`explorer.value`,
`explorer.set(...)`), so exercises can check it. None imports TensorFlow (the model
explorer reads the learner's Keras model once, and never touches TensorFlow to redraw).
"""

from .conv import ConvExplorer, TransposeExplorer, conv_explorer, transpose_explorer
from .croppad import CropPadExplorer, crop_pad_explorer
from .model import ModelExplorer, model_explorer
from .playground import TrainingPlayground, training_playground
from .stack import StackExplorer, stack_explorer
from .unet import UNetExplorer, unet_explorer

__all__ = ["ConvExplorer", "TransposeExplorer", "StackExplorer", "conv_explorer",
           "transpose_explorer", "stack_explorer", "TrainingPlayground", "training_playground",
           "CropPadExplorer", "crop_pad_explorer", "UNetExplorer", "unet_explorer",
           "ModelExplorer", "model_explorer"]
