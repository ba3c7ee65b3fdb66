"""Shared test set-up: the repo root, seeded randomness for every test, no network for the
processes tests start, xdist groups, and the per-stage timing summary at the end of
`make test`."""

from __future__ import annotations

import importlib.abc
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
NONET = ROOT / "tests" / "nonet"
# `make test-fast` (CNNLAB_TEST_FAST=1): only these run, with TensorFlow and Keras unimportable.
FAST_TIER = ("tests/test_pure.py", "tests/test_architecture.py", "helpers/errors.py",
             "helpers/shapes")
FRAMEWORKS = ("tensorflow", "keras")


class _NoFrameworks(importlib.abc.MetaPathFinder):
    """Makes `import tensorflow` and `import keras` fail, as if they were not installed."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.split(".")[0] in FRAMEWORKS:
            raise ModuleNotFoundError(f"{name}: the fast tier (make test-fast) runs without "
                                      "TensorFlow and Keras; move this test out of it, or the "
                                      "import out of the pure part")


def pytest_configure(config: pytest.Config) -> None:
    """Every Python process a test starts (kernels, JupyterLab, JupyterHub and its
    servers) imports tests/nonet/sitecustomize.py first: loopback only. pytest-socket
    guards this process itself."""
    if os.environ.get("CNNLAB_TEST_FAST"):
        sys.meta_path.insert(0, _NoFrameworks())
    paths = [str(NONET), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    config.addinivalue_line("markers", "both_builds: runs Keras layers on real arrays; "
                            "tests/test_builds.py runs these again under the other TensorFlow "
                            "CPU build (oneDNN on or off, see tests/builds.py)")


@pytest.fixture(autouse=True)
def _seed_everything() -> None:
    """Every test starts from the same random state."""
    random.seed(0)
    np.random.seed(0)


@pytest.fixture
def repo_root() -> Path:
    return ROOT


_STARTED = time.monotonic()


def _in_fast_tier(item: pytest.Item) -> bool:
    rel = item.path.resolve().relative_to(ROOT).as_posix()
    return any(rel == f or rel.startswith(f + "/") for f in FAST_TIER)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In the fast tier (CNNLAB_TEST_FAST=1), keep only FAST_TIER's tests.

    Under pytest-xdist (`--dist loadgroup`), keep the tests of a file that share a
    module-scoped fixture (a running JupyterLab, rebuilt data) on one worker, so the
    fixture is built once; every other test goes to whichever worker is free."""
    if os.environ.get("CNNLAB_TEST_FAST"):
        slow = [item for item in items if not _in_fast_tier(item)]
        items[:] = [item for item in items if _in_fast_tier(item)]
        config.hook.pytest_deselected(items=slow)
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        for name in info.names_closure:
            defs = info.name2fixturedefs.get(name)
            if defs and defs[-1].scope != "function" and defs[-1].baseid:
                item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
                break


def stage(nodeid: str) -> str:
    """The stage a test belongs to: its file's name without `test_`, or 'doctests'.

    >>> stage("tests/test_shapes.py::test_conv_out[1]"), stage("helpers/plots/svg.py")
    ('shapes', 'doctests')
    """
    path = nodeid.split("::")[0]
    name = Path(path).stem
    return name.removeprefix("test_") if name.startswith("test_") else "doctests"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print seconds spent per stage (setup + call + teardown of its tests), slowest first.

    Works under xdist: the controller receives every worker's reports, so the
    stage times add up the workers' time and may exceed the wall time.
    """
    seconds: dict[str, float] = defaultdict(float)
    tests: dict[str, set[str]] = defaultdict(set)
    for reports in terminalreporter.stats.values():
        for report in reports:
            if isinstance(report, pytest.TestReport):
                seconds[stage(report.nodeid)] += report.duration
                tests[stage(report.nodeid)].add(report.nodeid)
    if not seconds:
        return
    terminalreporter.section("time per stage")
    for name, total in sorted(seconds.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(f"{name:<22} {total:8.1f} s  {len(tests[name]):5d} tests")
    workers = getattr(terminalreporter.config.option, "numprocesses", None) or 0
    terminalreporter.write_line(f"{'sum':<22} {sum(seconds.values()):8.1f} s  "
                                f"(wall {time.monotonic() - _STARTED:.1f} s, "
                                f"{workers or 'no'} xdist workers)")
