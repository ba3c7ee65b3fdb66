"""The Colab cell of every notebook, run in a real kernel that believes it is in Colab.

A fake `google.colab` module stands in for Colab; the kernel has no network (the
nonet sitecustomize), and its shell commands are recorded instead of run, so no
clone or pip install happens. Without a URL the cell must stop in one clear line;
with one it must clone exactly that URL and install the clone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

IN_COLAB = """\
import sys, types
sys.modules["google"] = types.ModuleType("google")
sys.modules["google.colab"] = types.ModuleType("google.colab")
RAN = []
get_ipython().system = lambda cmd: RAN.append(get_ipython().var_expand(cmd))  # record, not run
"""


def colab_cell(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = [c for c in cells
             if c["cell_type"] == "code" and "google.colab" in "".join(c["source"])]
    assert len(found) == 1, f"{path.name}: expected one Colab cell, found {len(found)}"
    return "".join(found[0]["source"])


def test_every_notebook_has_the_same_colab_cell() -> None:
    assert len({colab_cell(p) for p in NOTEBOOKS}) == 1


def _run_in_fake_colab(tmp_path: Path, monkeypatch, repo_url: str | None) -> list:
    if repo_url is None:
        monkeypatch.delenv("CNNLAB_REPO_URL", raising=False)
    else:
        monkeypatch.setenv("CNNLAB_REPO_URL", repo_url)
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(IN_COLAB),
        nbformat.v4.new_code_cell(colab_cell(NOTEBOOKS[0])),
        nbformat.v4.new_code_cell("print('next cell', RAN, sys.path[0])"),
    ])
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    try:  # an error stops the run here, as it stops Run All in Colab and JupyterLab
        client.execute()
    except nbclient.exceptions.CellExecutionError:
        pass
    return nb.cells


def test_colab_cell_without_a_url_stops_with_one_line_that_says_what_to_set(
        tmp_path, monkeypatch) -> None:
    cells = _run_in_fake_colab(tmp_path, monkeypatch, None)
    errors = [o for o in cells[1].outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "SystemExit", cells[1].outputs
    assert "REPO_URL" in errors[0].evalue and "\n" not in errors[0].evalue
    assert not cells[2].outputs, "the cell must stop Run All"
    assert not (tmp_path / "cnn-shape-lab").exists()


def test_colab_cell_with_a_url_clones_it_and_installs_helpers(tmp_path, monkeypatch) -> None:
    cells = _run_in_fake_colab(tmp_path, monkeypatch, "https://example.org/course/cnn-shape-lab")
    assert not [o for o in cells[1].outputs if o.output_type == "error"], cells[1].outputs
    text = "".join(o.get("text", "") for o in cells[2].outputs)
    assert ("git clone --depth 1 https://example.org/course/cnn-shape-lab cnn-shape-lab "
            "&& pip install -q -e cnn-shape-lab") in text, text
    assert str(tmp_path / "cnn-shape-lab") in text  # on sys.path: importable without a restart


def test_colab_cell_does_nothing_outside_colab(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CNNLAB_REPO_URL", raising=False)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(colab_cell(NOTEBOOKS[0]))])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.cells[0].outputs == []
