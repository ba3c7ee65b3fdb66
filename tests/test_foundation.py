"""The two commands, the pins, and the promises the project makes about itself."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _pins(lines: list[str]) -> dict[str, str]:
    """name -> version for every `name==version` line (markers for 3.11 or none)."""
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip().lstrip("- ").strip()
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^;\s]+)\s*(?:;\s*(.*))?", line)
        if not m:
            continue
        name, version, marker = m.groups()
        if marker and '"3.11"' not in marker:
            continue
        pins[name.lower().replace("_", "-")] = version
    return pins


def test_environment_yml_and_constraints_pin_the_same_versions() -> None:
    lock = _pins((ROOT / "constraints.txt").read_text().splitlines())
    env = _pins((ROOT / "environment.yml").read_text().splitlines())
    assert {"tensorflow", "keras", "jupyterlab", "ipywidgets", "matplotlib", "numpy"} <= set(env)
    assert env == lock


def test_constraints_pin_every_installed_distribution() -> None:
    """What is installed in this venv is exactly what the lock says (Python 3.11)."""
    if sys.version_info[:2] != (3, 11):
        pytest.skip("the lock's plain pins are checked on Python 3.11")
    from importlib.metadata import distributions

    lock = _pins((ROOT / "constraints.txt").read_text().splitlines())
    installed = {
        d.metadata["Name"].lower().replace("_", "-"): d.version
        for d in distributions()
        if d.metadata["Name"].lower() not in {"pip", "setuptools", "cnn-shape-lab", "wheel"}
    }
    wrong = {n: (v, lock.get(n)) for n, v in installed.items() if lock.get(n) != v}
    assert not wrong, f"installed vs pinned: {wrong}"


def test_importing_helpers_does_not_import_tensorflow() -> None:
    code = ("import sys, helpers; "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_tests_cannot_reach_the_network_but_loopback_works() -> None:
    import pytest_socket

    # The guard is installed: connect() is pytest-socket's, not the real one.
    assert socket.socket.connect is not pytest_socket._true_connect
    blocked = (pytest_socket.SocketBlockedError, pytest_socket.SocketConnectBlockedError)
    with socket.socket() as s, pytest.raises(blocked):
        s.connect(("192.0.2.1", 80))  # TEST-NET-1: refused before any packet leaves
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass


def test_a_second_make_reinstalls_nothing() -> None:
    """`make -q` exits 0 when the venv is up to date, so `make test` skips the install."""
    result = subprocess.run(["make", "-q", "venv"], cwd=ROOT, capture_output=True)
    assert result.returncode == 0, "the venv stamp is older than pyproject.toml/constraints.txt"
    dry = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True)
    assert "pip install" not in dry.stdout and "rm -rf" not in dry.stdout


@pytest.mark.parametrize("body, ok", [("assert 1 + 1 == 2", True), ("assert 1 + 1 == 3", False)])
def test_ci_run_calls_make_test_and_fails_when_a_test_fails(
    tmp_path: Path, body: str, ok: bool
) -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script and "set -e" in script
    (tmp_path / "test_probe.py").write_text(f"def test_probe():\n    {body}\n")
    env = {**os.environ, "PYTEST_ARGS": f"{tmp_path / 'test_probe.py'} -p no:cacheprovider"}
    result = subprocess.run(["bash", ".ci/run"], cwd=ROOT, env=env, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=300)
    assert (result.returncode == 0) is ok, result.stdout[-2000:] + result.stderr[-2000:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location", "")


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on `port` (from /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            addr, hexport = local.split(":")
            if int(hexport, 16) == port and state == "0A":  # 0A = LISTEN
                found.add(addr)
    return found


@pytest.mark.slow
def test_make_lab_serves_the_notebooks_on_loopback_with_a_token() -> None:
    port, token = _free_port(), "test-token-" + os.urandom(8).hex()
    env = {**os.environ, "JUPYTER_TOKEN": token, "LAB_PORT": str(port),
           "LAB_ARGS": "--no-browser", "JUPYTER_RUNTIME_DIR": "/tmp/cnnlab-test-runtime"}
    proc = subprocess.Popen(["make", "lab"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 90
        while True:
            try:
                status, _ = _get(f"{base}/api/status?token={token}")
                if status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.time() < deadline, "JupyterLab did not start within 90 s"
            time.sleep(0.5)

        status, page = _get(f"{base}/lab?token={token}")
        assert status == 200 and "JupyterLab" in page
        status, where = _get(f"{base}/lab")
        assert status in (302, 403) and (status == 403 or "login" in where)
        status, listing = _get(f"{base}/api/contents?token={token}")
        assert status == 200 and "README.md" in listing  # the root is notebooks/
        assert _listening_addresses(port) <= {"0100007F", "00000000000000000000000001000000"}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
