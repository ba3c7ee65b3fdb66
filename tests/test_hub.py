"""A class of four on a real JupyterHub, on this machine (hub/jupyterhub_config.py).

The test starts JupyterHub and its proxy (configurable-http-proxy from npm) on free
127.0.0.1 ports with a temporary run directory, then, for four students AT THE SAME
TIME (one thread each), does what a student's browser does:

1. log in through the hub's login form (GET /hub/login for the form's _xsrf, POST
   the shared password): the hub sets its session cookies;
2. start the server (POST /hub/api/users/<name>/server with the session cookie and
   the X-XSRFToken header, as the hub's spawn page does) and wait until it is ready;
3. open /user/<name>/: the single-user server sends the browser through the hub's
   OAuth flow and ends with a cookie for that server alone (path /user/<name>/);
4. read 00_why_sizes_change.ipynb with the contents API, start a kernel with the
   sessions API, and run every code cell through the kernel's websocket
   (/api/kernels/<id>/channels, execute_request per cell), in fast mode.

Then it checks that student 2 cannot reach student 1's server, and stops everything:
the students stop their servers, a service token (an admin-like "class-monitor"
service in the config) confirms the hub lists no running server, the hub gets
SIGTERM, and psutil confirms that no process it started (hub, proxy, servers,
kernels) is alive.
Without the proxy or JupyterHub it is skipped outside CI and fails under CI=true.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROXY = ROOT / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
BIN = Path(sys.executable).parent
STUDENTS = ["student1", "student2", "student3", "student4"]
PASSWORD = "shared-demo-password"
NOTEBOOK = "notebooks/00_why_sizes_change.ipynb"
# Its exercises, graded checks and predict-then-reveal questions: each must say Correct.
EXPECTED = set(re.findall(r"""(?:check|reveal)\(\s*["'](\d+\.\d+)["']""", "".join(
    "".join(cell["source"]) for cell in json.loads((ROOT / NOTEBOOK).read_text())["cells"])))
CHECK = re.compile(r"Exercise (\d+\.\d+) \([^)]*\): (✓ Correct|✗ Not yet|… not done yet)")
CELL_TIMEOUT = 300.0


def _missing() -> str | None:
    """Why the hub cannot start here, with the command that fixes it; None if it can."""
    if not (BIN / "jupyterhub").exists() or not (BIN / "jupyterhub-singleuser").exists():
        return (f"JupyterHub is not installed in {BIN}: "
                "pip install -c constraints.txt -e '.[dev,hub]' (what `make venv` runs)")
    if not PROXY.exists():
        return (f"JupyterHub's proxy is not installed ({PROXY.relative_to(ROOT)}): "
                "run `make hub-deps` (or `npm ci --prefix hub`)")
    return None


def _free_ports(n: int) -> list[int]:
    """n distinct free TCP ports on 127.0.0.1."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class Student:
    """One student's browser: cookies, and what their notebook run produced."""

    name: str
    base: str
    http: object = None  # requests.Session
    kernel_id: str = ""
    session_id: str = ""
    statuses: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def server(self) -> str:
        return f"{self.base}/user/{self.name}"

    def xsrf(self, path: str) -> dict[str, str]:
        """The X-XSRFToken header a page under `path` would send with a POST/DELETE."""
        return {"X-XSRFToken": self.http.cookies.get("_xsrf", path=path) or ""}

    def cookie_header(self, path: str) -> str:
        """The Cookie header a browser sends to a URL under `path`."""
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies
                         if path.startswith(c.path.rstrip("/") + "/") or c.path == "/")


def log_in(student: Student) -> None:
    """Log in through the hub's login form with the shared password."""
    import requests

    student.http = requests.Session()
    form = student.http.get(f"{student.base}/hub/login", timeout=30)
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text).group(1)
    r = student.http.post(f"{student.base}/hub/login",
                          data={"username": student.name, "password": PASSWORD, "_xsrf": xsrf},
                          allow_redirects=False, timeout=30)
    assert r.status_code == 302, f"{student.name}: login answered {r.status_code}"
    assert student.http.cookies.get("jupyterhub-hub-login", path="/hub/"), "no hub login cookie"


def start_server(student: Student, timeout: float = 120) -> None:
    """Start the student's server as the hub's spawn page does, then wait until it is ready."""
    api = f"{student.base}/hub/api/users/{student.name}"
    r = student.http.post(f"{api}/server", headers=student.xsrf("/hub/"), timeout=60)
    assert r.status_code in (201, 202), f"{student.name}: start server {r.status_code} {r.text}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model = student.http.get(api, headers=student.xsrf("/hub/"), timeout=30).json()
        if model["servers"].get("", {}).get("ready"):
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"{student.name}: server not ready after {timeout} s")
    # Opening the server in a browser: its OAuth dance with the hub sets a cookie
    # valid under /user/<name>/ only.
    r = student.http.get(f"{student.server}/", timeout=60)
    assert r.status_code == 200 and r.url.startswith(student.server), (r.status_code, r.url)
    assert student.http.cookies.get(f"jupyterhub-user-{student.name}",
                                    path=f"/user/{student.name}/")


def execute(ws, code: str, timeout: float = CELL_TIMEOUT) -> tuple[str, list[str], list[str]]:
    """Run one cell over a kernel websocket: (reply status, error lines, output texts)."""
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": "test-hub",
                   "username": "", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    status, errors, texts, idle = None, [], [], False
    deadline = time.monotonic() + timeout
    while status is None or not idle:
        ws.settimeout(max(1.0, deadline - time.monotonic()))
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "execute_reply":
            status = content["status"]
            if status != "ok":
                errors.append(f"{content.get('ename')}: {content.get('evalue')}")
        elif kind == "status" and content["execution_state"] == "idle":
            idle = True
        elif kind == "error":
            errors.append(f"{content['ename']}: {content['evalue']}")
        elif kind == "stream":
            texts.append(content["text"])
        elif kind in ("execute_result", "display_data"):
            texts.append(str(content["data"].get("text/plain", "")))
    return status, errors, texts


def run_notebook(student: Student) -> None:
    """Contents API -> sessions API -> every code cell over the kernel websocket."""
    import websocket

    r = student.http.get(f"{student.server}/api/contents/{NOTEBOOK}", timeout=30)
    assert r.status_code == 200, f"{student.name}: contents {r.status_code}"
    cells = [(c["source"], "raises-exception" in c["metadata"].get("tags", []))
             for c in r.json()["content"]["cells"] if c["cell_type"] == "code"]
    r = student.http.post(f"{student.server}/api/sessions",
                          json={"path": NOTEBOOK, "type": "notebook", "name": "",
                                "kernel": {"name": "python3"}},
                          headers=student.xsrf(f"/user/{student.name}/"), timeout=60)
    assert r.status_code == 201, f"{student.name}: new session {r.status_code} {r.text}"
    student.session_id, student.kernel_id = r.json()["id"], r.json()["kernel"]["id"]
    path = f"/user/{student.name}/api/kernels/{student.kernel_id}/channels"
    ws = websocket.create_connection(student.base.replace("http", "ws", 1) + path, timeout=60,
                                     header=[f"Cookie: {student.cookie_header(path)}"])
    try:
        for i, (code, raises) in enumerate(cells):
            status, errors, texts = execute(ws, code)
            if raises:  # a real error shown on purpose (the doctor's panel reads it)
                status = "ok" if errors else "no error, though tagged raises-exception"
                errors = []
            student.statuses.append(status)
            student.errors += [f"code cell {i}: {e}" for e in errors]
            student.texts += texts
    finally:
        ws.close()


def one_student(student: Student) -> None:
    """Everything one student does, timed by stage; failures land in student.errors."""
    try:
        for stage, step in (("log in", log_in), ("start server", start_server),
                            ("run notebook", run_notebook)):
            start = time.monotonic()
            step(student)
            student.seconds[stage] = round(time.monotonic() - start, 1)
    except Exception as exc:  # reported by the test, with the student's name
        student.errors.append(f"{type(exc).__name__}: {exc}")


def isolation_answers(me: Student, other: Student) -> dict[str, object]:
    """What `me` gets when reaching for `other`'s server and data, by route."""
    import websocket

    server = other.server
    answers: dict[str, object] = {
        "contents": me.http.get(f"{server}/api/contents/{NOTEBOOK}", timeout=30).status_code,
        "kernel": me.http.get(f"{server}/api/kernels/{other.kernel_id}", timeout=30).status_code,
        "sessions": me.http.get(f"{server}/api/sessions", timeout=30).status_code,
        "hub api": me.http.get(f"{me.base}/hub/api/users/{other.name}", timeout=30).status_code,
    }
    page = me.http.get(f"{server}/lab", timeout=30)
    answers["page"] = ([h.status_code for h in page.history], page.status_code,
                       page.url.split("?")[0].removeprefix(me.base))
    # My own server cookie, presented under the other student's cookie name.
    mine = me.http.cookies.get(f"jupyterhub-user-{me.name}", path=f"/user/{me.name}/")
    forged = {f"jupyterhub-user-{other.name}": mine}
    answers["forged cookie"] = me.http.get(f"{server}/api/contents/{NOTEBOOK}", cookies=forged,
                                           timeout=30).status_code
    path = f"/user/{other.name}/api/kernels/{other.kernel_id}/channels"
    try:
        websocket.create_connection(me.base.replace("http", "ws", 1) + path, timeout=30,
                                    header=[f"Cookie: {me.cookie_header(path)}"]).close()
        answers["websocket"] = 101
    except websocket.WebSocketBadStatusException as exc:
        answers["websocket"] = exc.status_code
    return answers


def running_servers(base: str, token: str) -> list[str]:
    """Names of users whose server the hub reports as running (the admin service's view)."""
    import requests

    users = requests.get(f"{base}/hub/api/users", params={"state": "active"}, timeout=30,
                         headers={"Authorization": f"token {token}"}).json()
    return sorted(u["name"] for u in users if u.get("servers"))


def stop_everything(hub: subprocess.Popen, students: list[Student], token: str) -> list[str]:
    """Close the sessions, stop the servers the students' way (all at once), then the hub.

    Returns the servers the hub still reported as running before it was stopped.
    """
    def stop(s: Student) -> None:
        try:
            if s.session_id:
                s.http.delete(f"{s.server}/api/sessions/{s.session_id}",
                              headers=s.xsrf(f"/user/{s.name}/"), timeout=30)
            s.http.delete(f"{s.base}/hub/api/users/{s.name}/server",
                          headers=s.xsrf("/hub/"), timeout=60)
        except Exception:  # the hub's own clean-up below still stops the server
            pass

    threads = [threading.Thread(target=stop, args=(s,)) for s in students if s.http]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    still = ["(hub not asked)"]
    deadline = time.monotonic() + 30
    while still and hub.poll() is None and time.monotonic() < deadline:
        try:
            still = running_servers(students[0].base, token)
        except Exception as exc:  # reported by the test
            still = [f"(hub API: {exc})"]
        time.sleep(0.5 if still else 0)
    hub.send_signal(signal.SIGTERM)  # cleanup_servers/cleanup_proxy: stops servers and proxy
    try:
        hub.wait(timeout=60)
    except subprocess.TimeoutExpired:
        hub.kill()
        hub.wait(timeout=10)
    return still


def wait_for_hub(base: str, hub: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    """Block until the hub answers through the proxy."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.poll() is not None:
            raise AssertionError(f"jupyterhub exited ({hub.returncode}):\n"
                                 f"{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/hub/api/", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"jupyterhub not up after {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_four_students_run_notebook_00_at_once_and_cannot_reach_each_other(tmp_path) -> None:
    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the hub test: {missing}")
        pytest.skip(missing)
    psutil = pytest.importorskip("psutil")

    port, hub_port, proxy_api_port = _free_ports(3)
    base = f"http://127.0.0.1:{port}"
    token = secrets.token_hex(16)  # the "class-monitor" service's: it checks the servers stopped
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
    env.update(CNNLAB_HUB_DIR=str(tmp_path / "run"), CNNLAB_HUB_PORT=str(port),
               CNNLAB_HUB_API_PORT=str(hub_port), CNNLAB_HUB_PROXY_API_PORT=str(proxy_api_port),
               CNNLAB_HUB_USERS=",".join(STUDENTS), CNNLAB_HUB_PASSWORD=PASSWORD,
               CNNLAB_HUB_SINGLEUSER=str(BIN / "jupyterhub-singleuser"),
               CNNLAB_HUB_SERVICE_TOKEN=token, CNNLAB_FAST="1",
               CNNLAB_HUB_NOTEBOOKS="solutions")  # so every check must say Correct
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # as a learner's machine has it
    log = tmp_path / "jupyterhub.log"
    started = time.monotonic()
    with log.open("w") as out:
        hub = subprocess.Popen(
            [str(BIN / "jupyterhub"), "-f", str(ROOT / "hub" / "jupyterhub_config.py")],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    students = [Student(name, base) for name in STUDENTS]
    ours: dict[int, object] = {hub.pid: psutil.Process(hub.pid)}
    try:
        wait_for_hub(base, hub, log)
        threads = [threading.Thread(target=one_student, args=(s,)) for s in students]
        for t in threads:
            t.start()
        peak_rss: dict[int, int] = {}
        while any(t.is_alive() for t in threads):  # note every process the hub starts
            ours.update({p.pid: p for p in psutil.Process(hub.pid).children(recursive=True)})
            _sample_rss(ours, peak_rss)
            time.sleep(0.2)
        class_seconds = time.monotonic() - started
        ours.update({p.pid: p for p in psutil.Process(hub.pid).children(recursive=True)})

        for s in students:
            assert not s.errors, f"{s.name}: {s.errors[:5]}\n{log.read_text()[-3000:]}"
            assert s.statuses and set(s.statuses) == {"ok"}, (s.name, s.statuses)
            checks = dict(CHECK.findall("\n".join(s.texts)))
            assert checks == {e: "✓ Correct" for e in EXPECTED}, checks
            assert any("fast mode (CNNLAB_FAST=1)" in t for t in s.texts), s.name
        commands = [" ".join(_cmdline(p)) for p in ours.values()]
        assert sum("ipykernel_launcher" in c for c in commands) == 4, commands
        assert sum("jupyterhub-singleuser" in c for c in commands) == 4, commands
        assert any("configurable-http-proxy" in c for c in commands), commands
        # SimpleLocalProcessSpawner: every student's server is the same OS user as the hub.
        servers = [p for p in ours.values() if "jupyterhub-singleuser" in " ".join(_cmdline(p))]
        assert {p.uids().real for p in servers} == {os.getuid()}
        # All the hub's state is in its run directory, none in its working directory.
        state = {"jupyterhub.sqlite", "jupyterhub_cookie_secret", "jupyterhub-proxy.pid"}
        assert state <= {p.name for p in (tmp_path / "run").iterdir()}
        assert not state & ({p.name for p in tmp_path.iterdir()} | {p.name for p in ROOT.iterdir()})

        # Isolation. Student 2 is logged in and has a server, and reaches for student 1's:
        # - the API routes answer 403: student 2's server cookie has path /user/student2/,
        #   so the browser sends nothing that student 1's server accepts, and an API
        #   request without credentials is refused rather than redirected;
        # - the page redirects to the hub's OAuth authorize URL, which answers 403:
        #   the hub knows it is student 2 (session cookie) and student 2 lacks the
        #   access:servers!server=student1/ scope;
        # - student 2's own server cookie renamed as student 1's is rejected (403):
        #   the cookie is signed together with its name;
        # - the kernel websocket handshake is refused with 403;
        # - the hub's REST API hides other users: 404, not 403.
        answers = isolation_answers(students[1], students[0])
        assert answers == {
            "contents": 403, "kernel": 403, "sessions": 403, "hub api": 404,
            "page": ([302], 403, "/hub/api/oauth2/authorize"),
            "forged cookie": 403, "websocket": 403,
        }, answers
        # ... and student 1 still reaches their own.
        assert students[0].http.get(f"{students[0].server}/api/kernels/{students[0].kernel_id}",
                                    timeout=30).status_code == 200
        print(f"\nhub test: 4 students, notebook 00 in fast mode, {class_seconds:.0f} s from "
              "starting the hub; per student " + ", ".join(f"{s.name} {s.seconds}"
                                                            for s in students))
        print(_rss_summary(ours, peak_rss, hub.pid))
    finally:
        stopping = time.monotonic()
        still_running = stop_everything(hub, students, token)
        gone, alive = psutil.wait_procs(list(ours.values()), timeout=30)
        for p in alive:
            p.kill()
        print(f"hub test: everything stopped in {time.monotonic() - stopping:.0f} s")
    assert not still_running, f"the hub still listed running servers: {still_running}"
    assert not alive, f"still running after the hub stopped: {[_cmdline(p) for p in alive]}"


def _sample_rss(procs: dict, peaks: dict[int, int]) -> None:
    """Raise peaks[pid] to each process's current RSS (the summary's memory figures)."""
    for pid, p in procs.items():
        try:
            peaks[pid] = max(peaks.get(pid, 0), p.memory_info().rss)
        except Exception:  # gone
            pass


def _rss_summary(procs: dict, peaks: dict[int, int], hub_pid: int) -> str:
    """Peak RSS in MiB of each kind of process the hub started, for the test's printout."""
    parts = [f"hub {peaks.get(hub_pid, 0) / 2**20:.0f}"]
    for kind in ("configurable-http-proxy", "jupyterhub-singleuser", "ipykernel_launcher"):
        mib = sorted(round(peaks.get(pid, 0) / 2**20) for pid, p in procs.items()
                     if kind in " ".join(_cmdline(p)))
        parts.append(f"{kind} {mib}")
    return "peak RSS, MiB: " + "; ".join(parts)


def _cmdline(p) -> list[str]:
    try:
        return p.cmdline()
    except Exception:  # gone, or a zombie
        return []


@pytest.mark.parametrize("mode", ["student", "solutions"])
def test_each_student_gets_the_notebooks_the_hub_is_told_to_hand_out(tmp_path, monkeypatch,
                                                                       mode: str) -> None:
    import runpy
    from types import SimpleNamespace

    traitlets = pytest.importorskip("traitlets.config")
    if not PROXY.exists():
        pytest.skip("the hub config needs its proxy: make hub-deps")
    monkeypatch.setenv("CNNLAB_HUB_DIR", str(tmp_path / "run"))
    monkeypatch.setenv("CNNLAB_HUB_NOTEBOOKS", mode)
    config = traitlets.Config()
    hub = runpy.run_path(str(ROOT / "hub" / "jupyterhub_config.py"),
                         init_globals={"get_config": lambda: config})
    home = tmp_path / "run" / "home" / "student1"
    config.Spawner.pre_spawn_hook(SimpleNamespace(home_dir=str(home)))
    copies = sorted(p.name for p in (home / "notebooks").glob("*.ipynb"))
    assert copies == sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    text = (home / "notebooks" / "00_why_sizes_change.ipynb").read_text()
    assert ("### BEGIN SOLUTION" in text) == (mode == "solutions")
    assert hub["NOTEBOOKS"] == mode
