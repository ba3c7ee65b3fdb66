"""Notebook tooling for instructors: student versions and the solution markers.

Solution code sits between `### BEGIN SOLUTION` and `### END SOLUTION` (nbgrader's
markers, which instructors know). A student version replaces each block with a
`# YOUR CODE HERE` line; the exercise cell keeps its `answer = None` line above the
block, so the notebook still runs to the end and its check says "not done yet".

>>> cell = ("answer = None\\n### BEGIN SOLUTION\\nanswer = 13\\n### END SOLUTION\\n"
...         "check('0.1', answer)")
>>> print(strip_solutions_source(cell))
answer = None
# YOUR CODE HERE
check('0.1', answer)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

__all__ = ["BEGIN", "END", "strip_solutions_source", "strip_solutions", "clean",
           "write_student_versions", "LabkitError"]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_BLOCK = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*(\n|$)",
                    re.S | re.M)


class LabkitError(ValueError):
    """A notebook whose solution markers do not pair up."""


def strip_solutions_source(source: str, placeholder: str = "# YOUR CODE HERE") -> str:
    """The cell source with every solution block replaced by the placeholder."""
    if source.count(BEGIN) != source.count(END):
        raise LabkitError(f"a cell has {source.count(BEGIN)} '{BEGIN}' but "
                          f"{source.count(END)} '{END}' lines; pair them up.")
    return _BLOCK.sub(lambda m: f"{m.group(1)}{placeholder}{m.group(2)}", source)


def clean(nb: Any) -> Any:
    """The notebook with outputs, execution counts and volatile metadata removed."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in ("tags",)}
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in ("kernelspec", "language_info")}
    if "language_info" in nb.metadata:
        nb.metadata["language_info"] = {"name": "python"}
    return nb


def strip_solutions(nb: Any) -> Any:
    """A student copy of a notebook (nbformat node): solutions out, outputs cleared."""
    import copy

    student = copy.deepcopy(nb)
    for cell in student.cells:
        placeholder = "# YOUR CODE HERE" if cell.cell_type == "code" else "YOUR ANSWER HERE"
        cell.source = strip_solutions_source(cell.source, placeholder)
    return clean(student)


def write_student_versions(src: str | Path, dest: str | Path) -> list[Path]:
    """Write a student version of every notebook in src into dest; returns their paths."""
    import nbformat

    written = []
    Path(dest).mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(src).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        out = Path(dest) / path.name
        nbformat.write(strip_solutions(nb), out)
        written.append(out)
    return written
