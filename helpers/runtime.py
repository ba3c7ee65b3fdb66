"""The one call a notebook's setup cell makes: seeds, plot style, fast mode, versions.

In plain Python `setup()` is light: it seeds Python and NumPy, and Keras only
when Keras is already imported. In a Jupyter kernel it imports Keras once with
TensorFlow's start-up log lines silenced (they would show as red stderr) and
turns on inline figures. Training is reproducible either way: every model
builder in `helpers.models` and `helpers.training.train` seed Keras themselves
(``seed=0`` by default) right before they create weights or draw batches.
Versions are read from the installed packages' metadata, which does not import
them either.

>>> info = setup(seed=0, quiet=True)
>>> info.seed, isinstance(info.fast, bool)
(0, True)
"""

from __future__ import annotations

import os
import platform
import random
import sys
from dataclasses import dataclass
from importlib import metadata

import numpy as np

__all__ = ["FAST_ENV", "Runtime", "fast_mode", "setup", "versions"]

FAST_ENV = "CNNLAB_FAST"
PACKAGES = ("tensorflow", "keras", "numpy", "matplotlib")


def fast_mode() -> bool:
    """True when the environment variable CNNLAB_FAST is "1" (tests, CI, quick checks).

    In fast mode the data loaders return a few samples and `train` runs a few steps.

    >>> import os
    >>> fast_mode() == (os.environ.get("CNNLAB_FAST") == "1")
    True
    """
    return os.environ.get(FAST_ENV) == "1"


def versions() -> dict[str, str]:
    """{package: version} for Python and the main packages, read without importing them.

    >>> versions()["python"] == platform.python_version()
    True
    """
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


@dataclass(frozen=True)
class Runtime:
    """What setup() did: the seed, whether fast mode is on, and the versions in use."""

    seed: int
    fast: bool
    keras_seeded: bool
    versions: dict

    def __str__(self) -> str:
        parts = [f"{k} {v}" for k, v in self.versions.items()]
        mode = "fast mode (CNNLAB_FAST=1)" if self.fast else "full mode"
        return f"seed {self.seed} · {mode} · " + " · ".join(parts)


def _plot_style() -> None:
    """A readable matplotlib style: larger text, light grid, no top/right spines."""
    import matplotlib as mpl

    mpl.rcParams.update({
        "figure.dpi": 100, "figure.figsize": (6.0, 3.5), "font.size": 11,
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
        "axes.spines.right": False, "legend.frameon": False, "image.cmap": "viridis",
    })


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (not a plain Python or IPython terminal)."""
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return bool(shell) and hasattr(shell, "kernel")


def _load_keras_quietly() -> None:
    """Import Keras and start TensorFlow's CPU device with file descriptor 2 silenced.

    TensorFlow writes start-up lines (absl, oneDNN, CUDA probes) straight to fd 2,
    ignoring TF_CPP_MIN_LOG_LEVEL for some of them; Jupyter shows them as red text.
    """
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        import keras

        keras.ops.convert_to_numpy(keras.ops.zeros((1,)))  # device start-up, silenced
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def setup(seed: int = 0, quiet: bool = False) -> Runtime:
    """The Runtime after seeding Python, NumPy and Keras, styling plots, and printing
    the versions in use in one line.

    In a Jupyter kernel it also imports Keras once (about 3 s) with TensorFlow's
    start-up log lines silenced, so no cell shows them as red text, and switches on
    inline figures (a cell that ends on a Figure shows it). In plain Python Keras is
    seeded only if already imported (models and `train` seed it themselves anyway).
    Unless you set it, TF_CPP_MIN_LOG_LEVEL becomes 3 (errors that matter still raise).

    >>> print(setup(seed=1, quiet=True).seed)
    1
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"setup: seed={seed!r} must be a whole number >= 0, e.g. seed=0.")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # hide TensorFlow's C++ log lines
    random.seed(int(seed))
    np.random.seed(int(seed))
    if _in_kernel():
        _load_keras_quietly()
        sys.modules["IPython"].get_ipython().run_line_magic("matplotlib", "inline")
    keras_seeded = "keras" in sys.modules
    if keras_seeded:
        sys.modules["keras"].utils.set_random_seed(int(seed))
    _plot_style()
    info = Runtime(int(seed), fast_mode(), keras_seeded, versions())
    if not quiet:
        print(info)
    return info
