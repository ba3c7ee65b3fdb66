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
__all__ = ["__version__", "setup", "load_ipython_extension", "unload_ipython_extension"]


def setup(seed: int = 0, quiet: bool = False, doctor: bool = True) -> Any:
    """The Runtime of helpers.runtime.setup(): seeds, plot style, fast mode, versions line.

    In a Jupyter kernel, `doctor=True` also loads the doctor's cell panel
    (helpers.panel: under a cell that fails with a size mismatch, the diagnosis and a
    button per fix); `doctor=False` turns it off. A thin re-export otherwise, so that
    importing `helpers` stays light (numpy and matplotlib load only when a notebook
    calls it).

    >>> setup(seed=0, quiet=True).seed
    0
    """
    from .runtime import _in_kernel
    from .runtime import setup as _setup

    info = _setup(seed=seed, quiet=quiet)
    if _in_kernel():
        from IPython import get_ipython

        from .panel import load, unload

        (load if doctor else unload)(get_ipython())
    return info


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext helpers`: the doctor's panel under every failing cell (helpers.panel)."""
    from .panel import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """`%unload_ext helpers`: IPython's own tracebacks again."""
    from .panel import unload

    unload(ipython)
