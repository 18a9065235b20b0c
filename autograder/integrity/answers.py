"""The answer cells of submitted notebooks and of the released template, read as plain text.

An answer cell is a code cell whose nbgrader metadata says ``solution`` and names a ``grade_id``
(the student's copy keeps the metadata the release wrote). The template's cell of the same
``grade_id`` (``assignments/NN_topic/NN_topic.ipynb``) is the code every student starts from, which
:mod:`.similarity` removes before comparing. Files from students are read only when they are plain
files within a size bound (DESIGN.md, "Trust"); a notebook that cannot be read is reported, not
guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from nbformat import NotebookNode

from autograder.sources import notebooks

MAX_NOTEBOOK_BYTES = 64 * 2**20  # a notebook with its outputs; the grader's own bound is of this order


@dataclass
class Submission:
    """One student's answer cells (``grade_id -> source``) and every code cell, in notebook order.

    problem: why the notebook could not be read ("" when it was).
    """

    student: str
    answers: dict[str, str] = field(default_factory=dict)
    code_cells: list[str] = field(default_factory=list)
    problem: str = ""


def answer_cells(nb: NotebookNode) -> dict[str, str]:
    """``grade_id -> source`` of every code answer cell of ``nb`` (the last one wins on a duplicate id)."""
    return {notebooks.grade_id(cell): cell.source for cell in nb.cells
            if cell.cell_type == "code" and notebooks.is_solution_cell(cell) and notebooks.grade_id(cell)}


def read_submission(student: str, notebook: Path) -> Submission:
    """The answer cells of ``notebook``, or a :class:`Submission` whose ``problem`` says why not."""
    found = Submission(student)
    if notebook.is_symlink() or not notebook.is_file():
        found.problem = "no notebook (or not a plain file)"
        return found
    if notebook.stat().st_size > MAX_NOTEBOOK_BYTES:
        found.problem = f"notebook over {MAX_NOTEBOOK_BYTES // 2**20} MiB: not read"
        return found
    try:
        nb = notebooks.read(notebook)
    except Exception as exc:  # noqa: BLE001 - any unreadable notebook is reported, never fatal
        found.problem = f"notebook not readable ({type(exc).__name__})"
        return found
    found.answers = answer_cells(nb)
    found.code_cells = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    return found


def read_class(assignment: str, folders: Mapping[str, Path]) -> list[Submission]:
    """Every student's :class:`Submission`; ``folders``: student -> folder holding ``<assignment>.ipynb``."""
    return [read_submission(student, Path(folder) / f"{assignment}.ipynb")
            for student, folder in sorted(folders.items())]


def template_answers(assignment: str, root: Path) -> dict[str, str]:
    """``grade_id -> source`` of the released notebook's answer cells (the template's own code)."""
    released = Path(root) / "assignments" / assignment / f"{assignment}.ipynb"
    return answer_cells(notebooks.read(released)) if released.is_file() else {}
