"""CNN Shape Lab helpers: the code behind the notebooks (docs/architecture.md).

    shapes    pure sizes: arithmetic, specs, trace, geometry, landing, the U-Net plan
    bridge    the one crossing between specs and Keras layers and models
    data      the shipped datasets: photos, shapes and masks, noise, downsampling
    fixes     the strategies (one registry), the advisor, crop_pad and the doctor
    plots     every picture: live SVG and static matplotlib, one per concept
    training  train(), size-checked and masked losses, PSNR, IoU, compare()
    models    one builder per strategy, the U-Net, demo() for training a strategy
    widgets   the live explorers, wired to the layers below
    checks    the exercise checks                 labkit    student copies

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
