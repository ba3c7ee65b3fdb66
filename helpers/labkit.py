"""Notebook tooling for instructors: student versions and the solution markers.

Solution code sits between `### BEGIN SOLUTION` and `### END SOLUTION` (nbgrader's
markers, which instructors know). A student version replaces each block with a
`# YOUR CODE HERE` line; the exercise cell keeps its `answer = None` line above the
block, so the notebook still runs to the end and its check says "not done yet".
This gives the same cell sources as nbgrader's ClearSolutions preprocessor with
`code_stub={"python": "# YOUR CODE HERE"}` and `enforce_metadata=False` (checked
on notebooks 00-06 with nbgrader 0.9.6), so instructors who use nbgrader can keep it.

`make student` runs `python -m helpers.labkit notebooks build/student`.

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

from helpers.errors import LabkitError

__all__ = ["BEGIN", "END", "strip_solutions_source", "strip_solutions", "clean",
           "write_student_versions", "solution_lines", "LabkitError", "main"]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_BLOCK = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*(\n|$)",
                    re.S | re.M)


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


def solution_lines(source: str) -> list[str]:
    """The code lines inside a cell's solution blocks (markers and blanks left out).

    >>> solution_lines("answer = None\\n### BEGIN SOLUTION\\nanswer = 13\\n### END SOLUTION")
    ['answer = 13']
    """
    lines = []
    for block in _BLOCK.finditer(source):
        inner = block.group(0).splitlines()[1:-1]
        lines += [line.strip() for line in inner if line.strip()]
    return lines


def write_student_versions(src: str | Path, dest: str | Path) -> list[Path]:
    """Write a student version of every numbered notebook in src into dest.

    Returns the paths written. Raises LabkitError if src holds no notebooks.

    >>> write_student_versions("no/such/folder", "build/student")
    Traceback (most recent call last):
    ...
    helpers.errors.LabkitError: src='no/such/folder' holds no notebooks; pass the notebooks/ folder.
    """
    import nbformat

    paths = sorted(Path(src).glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise LabkitError(f"src={str(src)!r} holds no notebooks; pass the notebooks/ folder.")
    written = []
    Path(dest).mkdir(parents=True, exist_ok=True)
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        out = Path(dest) / path.name
        nbformat.write(strip_solutions(nb), out)
        written.append(out)
    return written


def main(argv: list[str] | None = None) -> int:
    """`python -m helpers.labkit SRC DEST`: write the student versions, print a summary."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m helpers.labkit",
                                     description="Write student versions of the notebooks.")
    parser.add_argument("src", help="folder with the notebooks (notebooks/)")
    parser.add_argument("dest", help="folder for the student versions (build/student/)")
    args = parser.parse_args(argv)
    try:
        written = write_student_versions(args.src, args.dest)
    except LabkitError as err:
        print(f"error: {err}")
        return 2
    for path in written:
        print(f"wrote {path}")
    print(f"{len(written)} student notebooks in {args.dest}: solutions removed, outputs cleared.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
