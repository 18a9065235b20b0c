"""Does every week's source notebook follow the course's one set of conventions?

The conventions (README, "Adding a week"): a title ``# Week N — topic``; a header with
``**Estimated time:**`` and ``**Accelerator:**``; exercises numbered ``N.k`` after
the week, each number once, with its points or "ungraded" in the heading; a first
code cell that imports ``course_utils`` before TensorFlow, Keras, NumPy or matplotlib
(so TensorFlow's start-up lines stay out of the outputs) and sets ``ASSIGNMENT``; a self-check before the hidden part of
every grade cell; and a closing ``## Before you submit`` cell that names the notebook
and every file the grader loads. Every week in ``solutions/`` is checked, a new one too.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from autograder import release

ROOT = Path(__file__).resolve().parents[1]
WEEKS = release.list_assignments(ROOT)
EXERCISE = re.compile(r"^#{2,3} Exercise (\d+)\.(\d+) — .+\((?:[\d +]+ points?|ungraded[^)]*)[^)]*\)\s*$", re.M)
ANY_EXERCISE = re.compile(r"^#{2,3} Exercise\b.*$", re.M)


def _notebook(assignment: str):
    return nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


@pytest.mark.parametrize("assignment", WEEKS)
def test_title_and_header(assignment):
    first = _notebook(assignment).cells[0]
    week = int(assignment[:2])
    assert first.cell_type == "markdown" and first.source.startswith(f"# Week {week} — "), first.source[:80]
    assert "**Estimated time:**" in first.source and "**Accelerator:**" in first.source


@pytest.mark.parametrize("assignment", WEEKS)
def test_exercises_are_numbered_after_the_week_once_each(assignment):
    text = "\n".join(cell.source for cell in _notebook(assignment).cells if cell.cell_type == "markdown")
    headings = ANY_EXERCISE.findall(text)
    malformed = [heading for heading in headings if not EXERCISE.match(heading)]
    assert not malformed, f"write '### Exercise N.k — title (P points)' or '(ungraded)': {malformed}"
    numbers = [(int(week), int(k)) for week, k in EXERCISE.findall(text)]
    assert all(week == int(assignment[:2]) for week, _ in numbers), numbers
    assert len(numbers) == len(set(numbers)), f"an exercise number appears twice: {numbers}"


@pytest.mark.parametrize("assignment", WEEKS)
def test_setup_cell_imports_course_utils_first(assignment):
    setup = next(cell for cell in _notebook(assignment).cells if cell.cell_type == "code")
    code = [line for line in setup.source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    imports = [line.split()[1].split(".")[0] for line in code if line.startswith(("import ", "from "))]
    heavy = [i for i, module in enumerate(imports) if module in ("tensorflow", "keras", "numpy", "matplotlib")]
    assert "course_utils" in imports and (not heavy or imports.index("course_utils") < heavy[0]), imports
    assert re.search(rf'^ASSIGNMENT = "{assignment}"$', setup.source, re.M) or assignment == "00_setup"


@pytest.mark.parametrize("assignment", WEEKS)
def test_every_grade_cell_checks_before_it_hands_over(assignment):
    for cell in _notebook(assignment).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and "### BEGIN HIDDEN TESTS" in cell.source:
            visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
            code = [line for line in visible.splitlines() if line.strip() and not line.lstrip().startswith("#")]
            assert len(code) > 1, f"{meta['grade_id']}: no self-check before the hidden tests"


@pytest.mark.parametrize("assignment", WEEKS)
def test_before_you_submit_names_every_file_the_grader_loads(assignment):
    cells = _notebook(assignment).cells
    closing = [cell for cell in cells if cell.cell_type == "markdown" and cell.source.startswith("## Before you submit")]
    assert closing, "add a closing '## Before you submit' cell"
    text = closing[-1].source
    artifacts = [check.path for check in release._load_checks(assignment, ROOT) if hasattr(check, "path")]
    missing = [name for name in [f"{assignment}.ipynb", *artifacts] if name not in text]
    assert not missing, f"'Before you submit' does not name {missing}"
