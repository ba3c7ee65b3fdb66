"""CNN Shape Lab helpers: the code behind the notebooks.

Importing this package is cheap: nothing here imports TensorFlow or Keras.
Modules that need Keras import it inside the functions that use it.

>>> import helpers
>>> helpers.__version__
'0.1.0'
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
