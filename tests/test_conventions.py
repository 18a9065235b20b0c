"""Does every week's source notebook follow the course's one set of conventions?

The conventions (README, "Adding a week"): a title ``# Week N — topic``; a header with
``**Estimated time:**`` and ``**Accelerator:**``; exercises numbered ``N.k`` after
the week, each number once, with its points or "ungraded" in the heading; a first
code cell that imports ``course_utils`` before TensorFlow, Keras, NumPy or matplotlib
(so TensorFlow's start-up lines stay out of the outputs) and sets ``ASSIGNMENT``; a self-check before the hidden part of
every grade cell, each self-check cell starting with ``# Self-check`` (so it shows a one-line verdict
and never stops *Run All*, ``course_utils.tutor``); answer cells under every question; and a closing ``## Before you submit`` cell that names the notebook
and every file the grader loads. Every week in ``solutions/`` is checked, a new one too.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from autograder.authoring import validate
from autograder.sources import release

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


CHECK_CALL = re.compile(r"\bcheck_(?:close|gradient|array|shape|dtype|finite|answered)\(")


@pytest.mark.parametrize("assignment", WEEKS)
def test_self_check_cells_carry_the_mark(assignment):
    """A cell outside nbgrader's cells that runs the course's checks is a self-check: it must start with
    '# Self-check', which makes a blank or wrong answer show one line without stopping Run All."""
    from course_utils.tutor import SELF_CHECK_MARK

    unmarked = [cell.source.splitlines()[0][:70] for cell in _notebook(assignment).cells
                if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("grade")
                and not cell.metadata.get("nbgrader", {}).get("solution")
                and CHECK_CALL.search(cell.source) and not cell.source.startswith(SELF_CHECK_MARK)]
    assert not unmarked, f"start these self-check cells with '{SELF_CHECK_MARK}: <what it checks>': {unmarked}"


QUESTION = re.compile(r"^\*\*Question (\d+)\.(\d+)\.\*\* \S")
ANY_QUESTION = re.compile(r"\*\*Question \d+\.\d+\.\*\*")
QUESTIONS_HEADING = re.compile(r"^## Questions\b", re.M)
NUMBERED_ITEM = re.compile(r"^\s*\d+[.)]\s+\S", re.M)


def question_problems(cells, week: int) -> list[str]:
    """What breaks the questions' convention in ``cells``: a ``## Questions`` heading that does not open
    its own cell, questions listed together in one cell, a question without its answer cell right below
    it (markdown, nbgrader solution + grade, ``answer_N_k``; its points are the instructor's, 0 allowed)."""
    problems = []
    in_questions = False
    for index, cell in enumerate(cells):
        source = cell.source if cell.cell_type == "markdown" else ""
        headings = re.findall(r"^## .*$", source, re.M)
        if headings:
            in_questions = headings[-1].startswith("## Questions")
        if QUESTIONS_HEADING.search(source) and (not source.startswith("## Questions") or NUMBERED_ITEM.search(source)):
            problems.append(f"cell {index}: '## Questions' opens a cell of its own, and each question "
                            f"('**Question {week}.k.** …') gets its own cell with an answer cell below it")
            continue
        if source.startswith("## "):
            continue
        if len(ANY_QUESTION.findall(source)) > 1:
            problems.append(f"cell {index}: one question per cell")
        question = QUESTION.match(source)
        if in_questions and source and not nbgrader_answer(cell) and not question:
            problems.append(f"cell {index}: write each question as '**Question {week}.k.** …' in its own cell")
        if question:
            following = cells[index + 1] if index + 1 < len(cells) else None
            if int(question.group(1)) != week:
                problems.append(f"cell {index}: question of week {question.group(1)} in week {week}")
            if following is None or not nbgrader_answer(following):
                problems.append(f"cell {index} ({source[:40]}…) needs an answer cell below it")
                continue
            meta = following.metadata["nbgrader"]
            if meta.get("grade_id") != f"answer_{week}_{question.group(2)}" or float(meta.get("points", -1)) < 0:
                problems.append(f"cell {index + 1}: the answer cell is named answer_{week}_{question.group(2)} "
                                f"and worth 0 or more points, not {meta}")
    return problems


@pytest.mark.parametrize("assignment", WEEKS)
def test_every_question_has_an_answer_cell_below_it(assignment):
    """Questions are written '**Question N.k.** …', one per cell, each followed by an nbgrader answer
    cell (markdown, solution + grade: the release shows YOUR ANSWER HERE, a TA grades it by hand)."""
    assert question_problems(_notebook(assignment).cells, int(assignment[:2])) == []


def test_questions_without_answer_cells_are_found():
    """Does the check catch week 5's old shape (the questions listed in one cell, no answer cell) and a
    question whose answer cell is missing, and accept the convention?"""
    md = nbformat.v4.new_markdown_cell

    def answer(grade_id: str, points: float = 0):
        cell = md("The model answer.")
        cell.metadata["nbgrader"] = {"grade": True, "solution": True, "grade_id": grade_id, "points": points}
        return cell

    listed = [md("Some results.\n\n## Questions (ungraded)\n\n1. Why?\n2. How?"), md("## Before you submit")]
    assert question_problems(listed, 5) and "opens a cell of its own" in question_problems(listed, 5)[0]
    missing = [md("## Questions (ungraded)"), md("**Question 5.1.** Why?"), md("**Question 5.2.** How?"),
               answer("answer_5_2")]
    assert question_problems(missing, 5) == ["cell 1 (**Question 5.1.** Why?…) needs an answer cell below it"]
    good = [md("## Questions (ungraded)\n\nAnswer below each."), md("**Question 5.1.** Why?"),
            answer("answer_5_1"), md("**Question 5.2.** How?"), answer("answer_5_2", 2), md("## Before you submit")]
    assert question_problems(good, 5) == []


def nbgrader_answer(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "markdown" and bool(meta.get("solution")) and bool(meta.get("grade"))


@pytest.mark.parametrize("assignment", WEEKS)
def test_before_you_submit_names_every_file_the_grader_loads(assignment):
    cells = _notebook(assignment).cells
    closing = [cell for cell in cells if cell.cell_type == "markdown" and cell.source.startswith("## Before you submit")]
    assert closing, "add a closing '## Before you submit' cell"
    text = closing[-1].source
    artifacts = [check.path for check in validate.load_checks(assignment, ROOT) if hasattr(check, "path")]
    missing = [name for name in [f"{assignment}.ipynb", *artifacts] if name not in text]
    assert not missing, f"'Before you submit' does not name {missing}"
