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


PROBE = """
import socket
for address in [("203.0.113.7", 80), ("pypi.org", 443)]:
    try:
        socket.create_connection(address, timeout=2)
        print("REACHED", address)
    except OSError as error:
        print("refused:", error)
server = socket.create_server(("127.0.0.1", 0))
socket.create_connection(server.getsockname()).close()
print("loopback ok")
"""


def test_processes_started_by_tests_cannot_reach_the_network() -> None:
    # Kernels, JupyterLab and JupyterHub are child processes: pytest-socket does not
    # see them, tests/nonet/sitecustomize.py (put on PYTHONPATH by conftest) does.
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.count("network blocked in tests") == 2, done.stdout + done.stderr
    assert "REACHED" not in done.stdout and "loopback ok" in done.stdout


def test_a_notebook_kernel_cannot_reach_the_network() -> None:
    from jupyter_client.manager import start_new_kernel

    outputs: list[str] = []
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        reply = client.execute_interactive(
            "import socket\ntry:\n    socket.socket().connect(('203.0.113.7', 80))\n"
            "except OSError as e:\n    print(e)", timeout=60,
            output_hook=lambda msg: outputs.append(msg["content"].get("text", "")))
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    assert "network blocked in tests" in "".join(outputs), outputs
