"""CNN Shape Lab helpers: the code behind the notebooks (docs/architecture.md).

    errors     every error class               shapes    pure sizes, specs, trace
    bridge     specs <-> Keras layers/models   data      the shipped datasets
    fixes      the advisor and model doctor    models    one model per strategy
    training   train(), shape_checked, masks   metrics   PSNR, IoU, compare()
    plots/svg  the pictures                    widgets   the live explorers
    checks     the exercise checks             labkit    student copies

Importing this package is cheap: nothing here imports TensorFlow or Keras.
Modules that need Keras import it inside the functions that use it.

>>> import helpers
>>> helpers.__version__
'0.1.0'
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "setup"]


def setup(seed: int = 0, quiet: bool = False) -> Any:
    """The Runtime of helpers.runtime.setup(): seeds, plot style, fast mode, versions line.

    A thin re-export, so that importing `helpers` stays light (numpy and
    matplotlib load only when a notebook calls it).

    >>> setup(seed=0, quiet=True).seed
    0
    """
    from .runtime import setup as _setup

    return _setup(seed=seed, quiet=quiet)
