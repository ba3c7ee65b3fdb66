"""Every notebook runs top to bottom in fast mode, with its solutions and without them.

With the solutions in place every exercise check says "Correct"; in the student
version (solution blocks removed, helpers.labkit) every check says "not done yet"
and the notebook still reaches its last cell.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

from helpers.labkit import strip_solutions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Notebooks rewritten as lessons (issues 20, 21): every number their prose states is one their
# own run prints, or one their code sets (see _ungrounded_numbers).
LESSONS = ("00_", "01_", "02_", "03_", "04_", "05_", "06_", "07_")
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?!\w)")
CHECK = re.compile(r"Exercise (\d+\.\d+) \([^)]*\): (✓ Correct|✗ Not yet|… not done yet)")
TIMINGS: dict[str, float] = {}


def _execute(nb, monkeypatch) -> tuple[object, float]:
    monkeypatch.setenv("CNNLAB_FAST", "1")
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)  # as a learner's machine has it
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT / "notebooks")}})
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def _texts(nb) -> list[str]:
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                texts.append(out.text)
            elif "data" in out:
                texts.append(str(out.data.get("text/plain", "")))
    return texts


def _red(nb) -> list[str]:
    """Outputs a learner would see in red: errors and stderr (warnings, logs). A cell
    tagged "raises-exception" shows a real error on purpose: it must raise, and the doctor's
    panel (helpers.panel) must follow its traceback."""
    red = []
    for i, cell in enumerate(nb.cells):
        outs = cell.get("outputs", [])
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            kinds = [o.output_type for o in outs]
            if "error" not in kinds or "display_data" not in kinds[kinds.index("error"):]:
                red.append(f"cell {i} is tagged raises-exception but shows {kinds}, not an "
                           "error followed by the doctor's panel")
            continue
        for out in outs:
            if out.output_type == "error":
                red.append(f"cell {i}: {out.ename}: {out.evalue}")
            elif out.output_type == "stream" and out.name == "stderr":
                red.append(f"cell {i} stderr: {out.text[:300]}")
    return red


def _prose(source: str) -> str:
    """A markdown cell's words with what is not a claim removed: LaTeX, link targets,
    heading and exercise numbers, years (citations)."""
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", " ", source, flags=re.S)
    text = re.sub(r"\]\([^)]*\)|<[^>]*>", " ", text)
    text = re.sub(r"^#+ (Exercise )?[\d.]*", " ", text, flags=re.M)
    text = re.sub(r"\b(?:19|20)\d\d[a-z]?\b|\b0\d\b", " ", text)  # years; notebook 01
    return re.sub(r"(\d)x(?=\d)", r"\1 ", text)  # 75x75 -> 75 75


def _ungrounded_numbers(nb) -> list[str]:
    """Numbers in the prose that neither the code sets nor the executed outputs show. The
    title cell (times measured by bench/) and the further reading are not checked."""
    shown = [c.source for c in nb.cells if c.cell_type == "code"]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            shown.append(out.get("text", ""))
            shown += [str(v) for k, v in out.get("data", {}).items() if k.startswith(("text",
                                                                                    "image/svg"))]
    grounded = set(NUMBER.findall(re.sub(r"(\d)x(?=\d)", r"\1 ", "\n".join(shown))))
    bad = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or i == 0 or "Further reading" in cell.source[:40]:
            continue
        text = _prose(cell.source)
        for m in NUMBER.finditer(text):
            if m.group() not in grounded | {"0", "1"}:
                context = text[max(0, m.start() - 40):m.end() + 20]
                bad.append(f"cell {i}: {m.group()} in ...{context!r}")
    return bad


def _exercise_ids(nb) -> list[str]:
    """Graded checks (`check("0.1", ...)` in a solution cell) and predict-then-reveal
    questions (`reveal("0.2", ...)`, the cell after the prediction)."""
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    graded = [m for source in code if "### BEGIN SOLUTION" in source
              for m in re.findall(r"""check\(\s*["'](\d+\.\d+)["']""", source)]
    return graded + [m for source in code
                     for m in re.findall(r"""reveal\(\s*["'](\d+\.\d+)["']""", source)]


def test_there_are_notebooks_to_run() -> None:
    assert NOTEBOOKS, "notebooks/ has no numbered notebooks"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_fast_mode_and_every_check_passes(path: Path, monkeypatch) -> None:
    nb, seconds = _execute(nbformat.read(path, as_version=4), monkeypatch)
    TIMINGS[path.stem] = seconds
    assert not _red(nb), _red(nb)
    checks = dict(CHECK.findall("\n".join(_texts(nb))))
    expected = _exercise_ids(nb)
    assert 2 <= len(expected) <= 4, f"{path.name}: {len(expected)} exercises (want 2-4)"
    assert checks == {e: "✓ Correct" for e in expected}, checks
    if path.name.startswith(LESSONS):
        assert 3 <= len(expected), f"{path.name}: {len(expected)} exercises (want 3-4)"
        assert not _ungrounded_numbers(nb), "numbers in prose the run does not print: " + \
            "; ".join(_ungrounded_numbers(nb))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_version_runs_to_the_end_with_every_check_not_done_yet(path: Path,
                                                                       monkeypatch) -> None:
    original = nbformat.read(path, as_version=4)
    student = strip_solutions(original)
    assert "### BEGIN SOLUTION" not in json.dumps(student)
    nb, _ = _execute(student, monkeypatch)
    assert not [r for r in _red(nb) if "stderr" not in r], _red(nb)
    checks = dict(CHECK.findall("\n".join(_texts(nb))))
    assert checks == {e: "… not done yet" for e in _exercise_ids(original)}, checks


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name.startswith(LESSONS)],
                         ids=lambda p: p.stem)
def test_a_lesson_has_no_prose_cell_over_ten_lines(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    long = {i: n for i, cell in enumerate(nb.cells)
            if cell.cell_type == "markdown" and i > 0 and "Further reading" not in cell.source[:40]
            and (n := sum(1 for line in cell.source.splitlines() if line.strip())) > 10}
    assert not long, f"{path.name}: prose cells over 10 lines (cell: lines): {long}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name
    assert set(nb.metadata) <= {"kernelspec", "language_info"}
