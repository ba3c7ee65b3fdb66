"""Repository hygiene: lint-clean code and notebooks, and nothing heavy at import time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_passes_on_python_files_and_notebooks() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "helpers",
                             "tests", "bench", "docs", "data", "notebooks", ".ci", "hub"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_importing_every_helpers_module_leaves_tensorflow_out() -> None:
    modules = sorted(
        "helpers." + ".".join(p.relative_to(ROOT / "helpers").with_suffix("").parts)
        for p in (ROOT / "helpers").rglob("*.py") if p.name != "__init__.py")
    code = ("import sys, importlib\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "print([m for m in ('tensorflow', 'keras') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
