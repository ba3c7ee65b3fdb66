"""JupyterHub for a LOCAL DEMO of a class on this one machine (`make hub`, tests/test_hub.py).

NOT FOR A REAL CLASS. Everyone logs in with one shared password, and every student's
server runs as the same operating-system user (SimpleLocalProcessSpawner): a student
who opens a terminal can read every other student's files. What keeps students apart
here is only the hub's authentication (session cookies, OAuth tokens, scopes), which
tests/test_hub.py checks. For a real class see docs/instructor-guide.md ("Run a class
on JupyterHub"): Zero to JupyterHub or The Littlest JupyterHub with a real authenticator.

Everything listens on 127.0.0.1. All state (sqlite database, cookie secret, pid files,
students' homes) lives in one run directory, build/hub/ unless CNNLAB_HUB_DIR says
otherwise. Settings come from the environment, so that the test can use its own ports:

    CNNLAB_HUB_DIR        run directory                        (build/hub)
    CNNLAB_HUB_PORT       the public port, through the proxy   (8000)
    CNNLAB_HUB_USERS      comma-separated student names        (student1,...,student4)
    CNNLAB_HUB_PASSWORD   the shared password, 8+ characters   (cnn-shape-lab)
    CNNLAB_HUB_API_PORT   the hub's own port (proxy -> hub)    (8081)
    CNNLAB_HUB_PROXY_API_PORT  the proxy's REST API port       (8001)
    CNNLAB_HUB_SINGLEUSER the students' server command      (.venv/bin/jupyterhub-singleuser)
    CNNLAB_HUB_SERVICE_TOKEN   if set: an API token for a "class-monitor" service
                          that may list users and start/stop their servers (the test)
    CNNLAB_FAST           passed on to the students' kernels (1 = fast mode)
    CNNLAB_HUB_NOTEBOOKS  "student" (default): each student gets the copies without
                          solutions (as `make student` writes them); "solutions": the
                          notebooks as they are (the test, whose checks must all pass)

Run from the repository root: `.venv/bin/jupyterhub -f hub/jupyterhub_config.py`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = Path(os.environ.get("CNNLAB_HUB_DIR", ROOT / "build" / "hub")).resolve()
PORT = int(os.environ.get("CNNLAB_HUB_PORT", "8000"))
HUB_PORT = int(os.environ.get("CNNLAB_HUB_API_PORT", "8081"))
PROXY_API_PORT = int(os.environ.get("CNNLAB_HUB_PROXY_API_PORT", "8001"))
USERS = [u.strip() for u in os.environ.get(
    "CNNLAB_HUB_USERS", "student1,student2,student3,student4").split(",") if u.strip()]
PASSWORD = os.environ.get("CNNLAB_HUB_PASSWORD", "cnn-shape-lab")
PROXY = ROOT / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
SINGLEUSER = os.environ.get("CNNLAB_HUB_SINGLEUSER",
                            str(ROOT / ".venv" / "bin" / "jupyterhub-singleuser"))
NOTEBOOKS = os.environ.get("CNNLAB_HUB_NOTEBOOKS", "student")
if NOTEBOOKS not in ("student", "solutions"):
    raise SystemExit(f"CNNLAB_HUB_NOTEBOOKS={NOTEBOOKS!r}: use 'student' or 'solutions'.")

if not PROXY.exists():
    raise SystemExit(f"JupyterHub's proxy is missing: {PROXY}\n"
                     "Install it with `make hub-deps` (or `npm ci --prefix hub`).")
RUN_DIR.mkdir(parents=True, exist_ok=True)
(RUN_DIR / "home").mkdir(exist_ok=True)

c = get_config()  # noqa: F821  (injected by JupyterHub when it loads this file)

# --- network: 127.0.0.1 only ---------------------------------------------------------------
c.JupyterHub.bind_url = f"http://127.0.0.1:{PORT}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB_PORT}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.command = [str(PROXY)]
c.Spawner.ip = "127.0.0.1"  # the students' servers too (the default, said out loud)
c.ConfigurableHTTPProxy.pid_file = str(RUN_DIR / "jupyterhub-proxy.pid")

# --- state: all of it in the run directory, never in the repository root ----------------
c.JupyterHub.db_url = f"sqlite:///{RUN_DIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(RUN_DIR / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(RUN_DIR / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True   # stopping the hub stops every student's server
c.JupyterHub.cleanup_proxy = True

# --- who may log in: a shared password (LOCAL DEMO ONLY) ----------------------------------
# SharedPasswordAuthenticator (JupyterHub 5.3+) is the supported form of "DummyAuthenticator
# with a password" (deprecated since 5.3). Anyone who knows the password can log in as any
# student listed here; a real class needs a real authenticator (see the module docstring).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = PASSWORD
c.Authenticator.allowed_users = set(USERS)

# --- students' servers: local processes, one home each, same OS user --------------------
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = str(RUN_DIR / "home" / "{username}")
c.Spawner.cmd = [SINGLEUSER]
# Jupyter refuses to run as root unless told; containers and CI run as root.
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# The spawner passes on only a few variables (PATH, LANG, ...): add ours.
c.Spawner.environment = {k: os.environ[k] for k in ("CNNLAB_FAST", "CNNLAB_DATA_DIR")
                         if k in os.environ}


def copy_notebooks(spawner) -> None:
    """Give a student their own copy of the notebooks the first time their server starts:
    without solutions (helpers.labkit, as `make student`), unless CNNLAB_HUB_NOTEBOOKS says
    "solutions".

    The data stays in the repository: `helpers` (installed in .venv) finds it there,
    or wherever CNNLAB_DATA_DIR points.
    """
    target = Path(spawner.home_dir) / "notebooks"
    if target.exists():
        return
    if NOTEBOOKS == "student":
        from helpers.labkit import write_student_versions

        write_student_versions(ROOT / "notebooks", target)
    else:
        shutil.copytree(ROOT / "notebooks", target,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))


c.Spawner.pre_spawn_hook = copy_notebooks

# --- an optional service token for scripts (the test), never for students ---------------
if os.environ.get("CNNLAB_HUB_SERVICE_TOKEN"):
    c.JupyterHub.services = [{"name": "class-monitor",
                              "api_token": os.environ["CNNLAB_HUB_SERVICE_TOKEN"]}]
    c.JupyterHub.load_roles = [{
        "name": "class-monitor",
        "scopes": ["list:users", "read:users", "read:servers", "servers", "admin:servers"],
        "services": ["class-monitor"],
    }]
