"""environment.yml builds on Binder / JupyterHub images (repo2docker), checked without Docker.

repo2docker picks its conda build pack when it finds environment.yml (and no
Dockerfile, and no binder/ or .binder/ folder, which would hide the root's files).
Normally it installs environment.yml *before* copying the repository, so that the
layer can be cached; a local pip requirement such as our `-e .` would then find no
package to install. repo2docker knows this: a local requirement turns that
"preassembly" off, and the repository is copied first. The second test renders the
Dockerfile repo2docker would build (`--no-build`, no Docker engine) and checks that
order; it needs `jupyter-repo2docker` installed beside the tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _environment() -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_repo2docker_would_read_environment_yml_at_the_root() -> None:
    shadows = [p for p in ("Dockerfile", "binder", ".binder", "environment.yaml")
               if (ROOT / p).exists()]
    assert not shadows, f"repo2docker would use {shadows} instead of ./environment.yml"
    env = _environment()
    deps = env["dependencies"]
    assert "python=3.11" in deps and "pip" in deps  # an exact x.y: repo2docker's base env
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    assert pip[-1] == "-e ." and all("==" in line for line in pip[:-1]), pip[-3:]


def test_repo2docker_copies_the_repository_before_installing_environment_yml() -> None:
    pytest.importorskip("repo2docker", reason="pip install jupyter-repo2docker to render "
                        "the Dockerfile repo2docker would build (no Docker engine needed)")
    out = subprocess.run([sys.executable, "-m", "repo2docker", "--no-build", "--debug",
                          "--user-id", "1000", "--user-name", "jovyan", str(ROOT)],
                         capture_output=True, text=True, timeout=120, check=True)
    dockerfile = out.stdout + out.stderr
    assert "Building conda environment for python=3.11" in dockerfile
    lines = [line.strip() for line in dockerfile.splitlines()]
    copy_repo = next(i for i, line in enumerate(lines) if line.startswith("COPY")
                     and "src/ ${REPO_DIR}/" in line)
    install = next(i for i, line in enumerate(lines) if "env update" in line
                   and '--file "environment.yml"' in line)
    workdir = max(i for i, line in enumerate(lines[:install]) if line.startswith("WORKDIR"))
    assert lines[workdir] == "WORKDIR ${REPO_DIR}"  # so `-e .` is this repository
    assert copy_repo < install, "environment.yml would be installed before the repo is there"
    assert not any("environment.yml" in line and line.startswith("COPY")
                   for line in lines[:copy_repo]), "environment.yml preassembled on its own"
