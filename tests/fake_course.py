"""A course directory for tests of the grading pipeline that need no real notebook. Not a test module."""

from __future__ import annotations

from pathlib import Path

import nbformat

FAKE_ASSIGNMENT = "00_demo"


def make_course(root: Path, assignment: str = FAKE_ASSIGNMENT) -> Path:
    """A course with one released notebook holding two grade cells (test_add: 2 points, test_mul: 3)."""
    notebook = nbformat.v4.new_notebook()
    for grade_id, points in (("test_add", 2), ("test_mul", 3)):
        cell = nbformat.v4.new_code_cell("assert True")
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "points": points,
                                     "locked": True, "solution": False, "schema_version": 3}
        notebook.cells.append(cell)
    (root / "assignments" / assignment).mkdir(parents=True)
    nbformat.write(notebook, root / "assignments" / assignment / f"{assignment}.ipynb")
    return root
