"""Which TensorFlow CPU build this process runs, and the other one.

TensorFlow runs its CPU kernels through oneDNN on some machines (most Intel CPUs
with AVX-512) and without it on others (most AMD CPUs, Apple silicon); a few layers
behave differently (docs/keras-facts.md). `TF_ENABLE_ONEDNN_OPTS` picks the build.
Tests marked `both_builds` compare the engine with Keras on real arrays; `make test`
runs them under this build, and tests/test_builds.py runs them again under the other.
"""

from __future__ import annotations

import functools


@functools.cache
def onednn() -> bool:
    """True when this process's TensorFlow runs its CPU kernels through oneDNN."""
    from tensorflow.python.util import _pywrap_util_port

    return bool(_pywrap_util_port.IsMklEnabled())


def other_build() -> str:
    """The TF_ENABLE_ONEDNN_OPTS value that gives the build this process does not run."""
    return "0" if onednn() else "1"


def build_name(on: bool) -> str:
    return "with oneDNN" if on else "without oneDNN"
