"""Written answers graded by hand, in nbgrader's own tables, so that nbgrader's formgrader grades them.

What a TA does in formgrader lands in nbgrader's rows: ``Grade.manual_score`` (and
``needs_manual_grade`` set to False) for an answer's grade cell, ``Comment.manual_comment`` for
its solution cell. This module keeps the grader's side of that contract and reads the TA's side
back:

- writing (called by :class:`autograder.records.gradebook.GradebookWriter` in its transaction):
  a ``SolutionCell`` row for every solution cell of the release and a ``Comment`` row for every
  submitted notebook (formgrader's page looks both up for every solution cell, and fails without
  them); ``needs_manual_grade`` True for a written answer that was handed in and not yet scored
  by a TA. A TA's ``manual_score`` and ``manual_comment`` are never written here.
- reading: :func:`marks` (the TA's score and comment per answer), :func:`merge` (a result with
  them, for the feedback page and the report), :func:`progress` (how many answers are left).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import nbformat
from sqlalchemy import select

from autograder.records.results import ItemResult, SubmissionResult


SCORED_MESSAGE = "Your written answer, scored by your TA."


@dataclass(frozen=True)
class Mark:
    """What the gradebook holds for one student's written answer."""

    grade_id: str
    points: float
    manual_score: float | None   # the TA's score; None: not scored by hand
    comment: str                 # the TA's comment ("" when none)
    needs_manual_grade: bool     # handed in, still waiting for a TA


@dataclass(frozen=True)
class Progress:
    """Written-answer grading across a class."""

    graded: int       # answers a TA has scored
    to_grade: int     # answers handed in and not scored yet
    blank: int        # answer cells left blank, or in a run that was not judged (a zero); nothing to grade

    def line(self, assignment: str = "NN_topic") -> str:
        """One line for the report: how far the TAs are."""
        total = self.graded + self.to_grade
        if not total:
            return f"Written answers: none to grade ({self.blank} blank or not judged)."
        line = (f"Written answers: {self.graded} of {total} graded by a TA, {self.to_grade} still to grade "
                f"({self.blank} blank or not judged).")
        return line + (f" Grade them in nbgrader's formgrader: course manual-grading {assignment}."
                       if self.to_grade else "")


def solution_cells_of(course_root: Path, assignment: str) -> list[tuple[str, str]]:
    """``(notebook, grade_id)`` of every solution cell (code answers and written answers) of the release."""
    cells = []
    for path in sorted((Path(course_root) / "assignments" / assignment).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("solution") and meta.get("grade_id"):
                cells.append((path.stem, str(meta["grade_id"])))
    return cells


def ensure_solution_cell(db, notebook, name: str):
    """Get or create the ``SolutionCell`` row ``name`` of ``notebook`` (no commit)."""
    from nbgrader.api import SolutionCell

    cell = db.execute(select(SolutionCell).filter_by(name=name, notebook=notebook)).scalar_one_or_none()
    if cell is None:
        cell = SolutionCell(name=name, notebook=notebook)
        db.add(cell)
        db.flush()
    return cell


def ensure_comments(db, submitted) -> None:
    """A ``Comment`` row for each solution cell of ``submitted``'s notebook (a TA's text is kept)."""
    from nbgrader.api import Comment, SolutionCell

    cells = db.execute(select(SolutionCell).filter_by(notebook=submitted.notebook)).scalars().all()
    for cell in cells:
        if db.execute(select(Comment).filter_by(notebook=submitted, cell_id=cell.id)).scalar_one_or_none() is None:
            db.add(Comment(notebook=submitted, cell_id=cell.id))


def needs_manual_grade(grade, item: ItemResult | None, graded: bool) -> bool:
    """Does this grade wait for a TA? A written answer, handed in (not blank), its run judged, and not
    yet scored by hand (a TA's score stays, whatever a regrade finds)."""
    return (item is not None and item.kind == "manual" and bool(item.answer) and graded
            and grade.manual_score is None)


def marks(url: str, assignment: str) -> dict[str, dict[str, Mark]]:
    """``{student: {grade_id: Mark}}`` for every written answer (markdown grade cell) of ``assignment``."""
    from nbgrader.api import Assignment, Comment, Grade, GradeCell, Notebook, SolutionCell, SubmittedAssignment, \
        SubmittedNotebook

    from autograder.records.gradebook import open_gradebook

    gradebook = open_gradebook(url)
    try:
        db = gradebook.db
        rows = db.execute(
            select(SubmittedAssignment.student_id, Notebook.name, GradeCell.name, GradeCell.max_score,
                   Grade.manual_score, Grade.needs_manual_grade, SubmittedNotebook.id)
            .join(SubmittedNotebook, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
            .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
            .join(Grade, Grade.notebook_id == SubmittedNotebook.id)
            .join(GradeCell, GradeCell.id == Grade.cell_id)
            .where(Assignment.name == assignment, GradeCell.cell_type == "markdown")).all()
        comments = {(notebook_id, name): text for notebook_id, name, text in db.execute(
            select(Comment.notebook_id, SolutionCell.name, Comment.manual_comment)
            .join(SolutionCell, SolutionCell.id == Comment.cell_id))}
        found: dict[str, dict[str, Mark]] = {}
        for student, _, name, points, manual, needs, submitted_id in rows:
            found.setdefault(student, {})[name] = Mark(
                name, float(points), None if manual is None else float(manual),
                (comments.get((submitted_id, name)) or "").strip(), bool(needs))
        return found
    finally:
        gradebook.close()


def csv_columns(url: str, assignment: str) -> tuple[list[str], Callable[[str], list[str]]]:
    """The CSV's written-answer columns: ``<answer> comment`` per answer, then ``answers_to_grade``
    (the TA's scores are already in the answers' score columns: nbgrader's score is the manual one).
    None for an assignment without written answers: its CSV stays as it was."""
    found = marks(url, assignment)
    answers = sorted({grade_id for student in found.values() for grade_id in student})
    if not answers:
        return [], lambda student: []

    def cells(student: str) -> list[str]:
        own = found.get(student, {})
        return [*(own[a].comment if a in own else "" for a in answers),
                str(sum(mark.needs_manual_grade for mark in own.values()))]

    return [*(f"{a} comment" for a in answers), "answers_to_grade"], cells


def merge(result: SubmissionResult, student_marks: dict[str, Mark]) -> SubmissionResult:
    """``result`` with the TA's scores and comments on its written answers (the automatic items as they were)."""
    tests = []
    for item in result.tests:
        mark = student_marks.get(item.id)
        if item.kind == "manual" and mark is not None:
            score = item.score if mark.manual_score is None else min(max(mark.manual_score, 0.0), item.points)
            message = SCORED_MESSAGE if mark.manual_score is not None and item.points else item.message
            item = replace(item, score=score, manual_score=mark.manual_score, comment=mark.comment, message=message)
        tests.append(item)
    return replace(result, tests=tests)


def merge_all(results: list[SubmissionResult], url: str, assignment: str) -> list[SubmissionResult]:
    """``results`` (as ``gradebook_queries.load_results`` reads them) with the TA's marks merged in."""
    found = marks(url, assignment)
    return [merge(result, found.get(result.student, {})) for result in results]


def progress(url: str, assignment: str) -> Progress:
    """How many written answers a TA has scored, how many wait, how many were left blank."""
    graded = to_grade = blank = 0
    for student_marks in marks(url, assignment).values():
        for mark in student_marks.values():
            if mark.manual_score is not None:
                graded += 1
            elif mark.needs_manual_grade:
                to_grade += 1
            else:
                blank += 1
    return Progress(graded, to_grade, blank)
