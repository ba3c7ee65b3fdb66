"""`make student`: student copies without solution text, outputs or stray metadata.

Running the student copies to the end (every check "not done yet") is in
test_notebooks.py, on the same `strip_solutions` output these files hold.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import labkit

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("student")
    done = subprocess.run([sys.executable, "-m", "helpers.labkit", "notebooks", str(dest)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    assert f"{len(NOTEBOOKS)} student notebooks" in done.stdout
    return dest


def test_make_student_runs_the_labkit_command() -> None:
    plan = subprocess.run(["make", "-n", "student"], cwd=ROOT, capture_output=True, text=True)
    assert "-m helpers.labkit notebooks build/student" in plan.stdout


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_copy_has_no_solution_text(path: Path, student_dir: Path) -> None:
    original = nbformat.read(path, as_version=4)
    student = nbformat.read(student_dir / path.name, as_version=4)
    assert len(student.cells) == len(original.cells)
    exercises = 0
    for mine, theirs in zip(original.cells, student.cells):
        if labkit.BEGIN not in mine.source:
            assert theirs.source == mine.source
            continue
        exercises += 1
        assert "SOLUTION" not in theirs.source
        assert "# YOUR CODE HERE" in theirs.source
        outside = set(line.strip() for line in theirs.source.splitlines())
        leaked = [line for line in labkit.solution_lines(mine.source) if line in outside]
        assert not leaked, f"{path.name}: solution lines left in the student copy: {leaked}"
        graded = "answer = None" in theirs.source and "checks.check(" in theirs.source
        predicted = "prediction = None" in theirs.source and "checks.predict(" in theirs.source
        assert graded or predicted, theirs.source
    assert exercises >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_copy_is_clean_and_valid(path: Path, student_dir: Path) -> None:
    student = nbformat.read(student_dir / path.name, as_version=4)
    nbformat.validate(student)
    assert set(student.metadata) <= {"kernelspec", "language_info"}
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_unpaired_markers_are_refused_with_a_fix() -> None:
    with pytest.raises(labkit.LabkitError, match="pair them up"):
        labkit.strip_solutions_source("answer = None\n### BEGIN SOLUTION\nanswer = 1\n")


def test_an_empty_source_folder_is_a_clear_message(tmp_path: Path, capsys) -> None:
    assert labkit.main([str(tmp_path), str(tmp_path / "out")]) == 2
    assert "holds no notebooks" in capsys.readouterr().out
