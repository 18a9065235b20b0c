"""The class gradebook: nbgrader's ``Gradebook`` (SQLAlchemy), written by one writer.

Storage, in one database (SQLite file by default, PostgreSQL by URL):

- nbgrader's own tables hold the scores, so nbgrader's tools (formgrader,
  ``nbgrader export``) read them as usual: ``Assignment`` → ``Notebook`` →
  ``GradeCell`` (one per graded item, ``max_score`` = its points), ``Student``,
  ``SubmittedAssignment`` → ``SubmittedNotebook`` → ``Grade`` with
  ``auto_score`` = the out-of-process verdict × points (0 for every cell when
  the outcome is not ``graded``) and ``needs_manual_grade`` only for a written answer handed in
  and not yet scored (:mod:`autograder.records.manual_grades`, which also keeps the solution-cell and
  comment rows formgrader reads). A TA's ``manual_score`` and comment are never overwritten.
- ``course_regrade`` keeps each earlier result when a student is graded again (:mod:`autograder.records.regrades`).
- ``course_outcome``, a table of ours beside them, holds *why*: the
  :class:`~autograder.records.results.Outcome`, its reason in plain words, the profile,
  the time it took and the whole :class:`~autograder.records.results.SubmissionResult`
  as JSON (each item's message, isolation notes, figures), from which feedback
  pages and the class report are re-rendered.

Why one writer: SQLite is not safe for concurrent writers, and a worker that
crashes must not be able to leave half a grade behind. Grading workers never
open the database; the parent process consumes their results and calls
:meth:`GradebookWriter.record`, which writes one student's whole submission
(all grades + the outcome) in **one transaction**: after a crash mid-class every
student has either the previous complete grade or the new complete one. Rows
are looked up before being created, so regrading is idempotent.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import nbformat
from sqlalchemy import Column, DateTime, Float, MetaData, String, Table, Text, select

from autograder.records import db_retry, manual_grades, regrades
from autograder.records.results import SubmissionResult

OUTCOME_TABLE = "course_outcome"

_metadata = MetaData()
outcome_table = Table(
    OUTCOME_TABLE,
    _metadata,
    Column("assignment", String(128), primary_key=True),
    Column("student", String(128), primary_key=True),
    Column("outcome", String(32), nullable=False),
    Column("reason", Text(), nullable=False, default=""),
    Column("score", Float(), nullable=False),
    Column("max_score", Float(), nullable=False),
    Column("profile", String(16), nullable=False),
    Column("seconds", Float(), nullable=False),
    Column("graded_at", DateTime(), nullable=False),
    Column("result_json", Text(), nullable=False),
)


@dataclass(frozen=True)
class GradedCell:
    """One nbgrader grade cell of an assignment: where it is and what it is worth."""

    notebook: str     # notebook name without ``.ipynb``
    grade_id: str     # e.g. "test_conv_forward"
    points: float
    cell_type: str = "code"


def default_url(out_dir: Path) -> str:
    """SQLite file ``<out_dir>/gradebook.db`` (the output folder, never a sandbox)."""
    return f"sqlite:///{Path(out_dir).resolve() / 'gradebook.db'}"


def normalize_url(url: str) -> str:
    """Route ``postgresql://`` URLs to psycopg 3 (SQLAlchemy would pick psycopg2)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def grade_cells_of(course_root: Path, assignment: str) -> list[GradedCell]:
    """The grade cells of the released notebooks ``assignments/<assignment>/*.ipynb``.

    The release keeps nbgrader's cell metadata (grade_id, points) while it holds
    no solution and no hidden test, so the grader never needs ``solutions/`` here.
    """
    cells = []
    for path in sorted((Path(course_root) / "assignments" / assignment).glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade"):
                cells.append(GradedCell(path.stem, meta["grade_id"], float(meta.get("points", 0)),
                                        "markdown" if cell.cell_type == "markdown" else "code"))
    return cells


@functools.lru_cache(maxsize=1)
def _alembic_head() -> str:
    """nbgrader's newest schema revision, read in-process with alembic's API.

    nbgrader's ``get_alembic_version`` runs the ``alembic`` command whenever it
    creates a database: that fails when the venv is not activated
    (``.venv/bin/course ...``) and costs seconds each time; the answer is the
    same for the whole process.
    """
    import nbgrader
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(nbgrader.__file__).parent / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


def use_in_process_alembic() -> None:
    """Make every nbgrader Gradebook created in this process read its schema revision in-process.

    Call it before nbgrader creates a database (``open_gradebook``, release with a db_url).
    """
    import nbgrader.api

    nbgrader.api.get_alembic_version = _alembic_head


def open_gradebook(url: str):
    """Open (creating tables if needed) nbgrader's Gradebook plus ``course_outcome``."""
    from nbgrader.api import Gradebook

    use_in_process_alembic()
    with db_retry.schema_lock(normalize_url(url)):  # two TAs' first runs must not both create tables
        gradebook = Gradebook(normalize_url(url))
        _metadata.create_all(gradebook.engine)
        regrades.create_table(gradebook.engine)
    return gradebook


class GradebookWriter:
    """The single writer of a class's grades (use it in the parent process only)."""

    def __init__(self, url: str, assignment: str, cells: Iterable[GradedCell],
                 solution_cells: Iterable[tuple[str, str]] = ()):
        self.url = url
        self.assignment = assignment
        self.cells = list(cells)
        self.solution_cells = list(solution_cells)  # (notebook, grade_id): formgrader needs their rows
        self.gradebook = db_retry.with_backoff(lambda: open_gradebook(url), recover=lambda: None,
                                               what="the gradebook's tables")
        db_retry.with_backoff(self._ensure_cells, recover=self._reconnect, what=f"{assignment}'s grade cells")

    def _ensure_cells(self) -> None:
        try:
            for cell in self.cells:
                self._ensure_cell(cell)
            for notebook, name in self.solution_cells:
                manual_grades.ensure_solution_cell(self.gradebook.db, self._ensure_notebook(notebook), name)
            self.gradebook.db.commit()
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        try:
            self.gradebook.db.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the transaction went with it
            pass

    def _reconnect(self) -> None:
        """Drop the session and every pooled connection (the server restarted: they are dead)."""
        self.gradebook.db.remove()
        self.gradebook.engine.dispose()

    def __enter__(self) -> "GradebookWriter":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.gradebook.close()
        except Exception:  # noqa: BLE001 - the database is gone; every commit already happened
            pass

    # ----- structure -------------------------------------------------------------------

    def _ensure_notebook(self, name: str):
        """Get or create the Assignment and Notebook rows (no commit)."""
        from nbgrader.api import Assignment, Notebook

        db = self.gradebook.db
        assignment = db.execute(select(Assignment).filter_by(name=self.assignment)).scalar_one_or_none()
        if assignment is None:
            assignment = Assignment(name=self.assignment, course_id=self.gradebook.course_id)
            db.add(assignment)
        notebook = db.execute(select(Notebook).filter_by(name=name, assignment=assignment)).scalar_one_or_none()
        if notebook is None:
            notebook = Notebook(name=name, assignment=assignment)
            db.add(notebook)
        return notebook

    def _ensure_cell(self, cell: GradedCell):
        """Get or create Assignment/Notebook/GradeCell rows (no commit)."""
        from nbgrader.api import GradeCell

        db = self.gradebook.db
        notebook = self._ensure_notebook(cell.notebook)
        grade_cell = db.execute(select(GradeCell).filter_by(name=cell.grade_id, notebook=notebook)
                                ).scalar_one_or_none()
        if grade_cell is None:
            grade_cell = GradeCell(name=cell.grade_id, notebook=notebook, max_score=cell.points,
                                   cell_type=cell.cell_type)
            db.add(grade_cell)
        else:
            grade_cell.max_score = cell.points
        db.flush()
        return grade_cell

    def _cells_for(self, result: SubmissionResult) -> list[GradedCell]:
        """Known cells plus any item the result graded that no released cell declares."""
        known = {c.grade_id for c in self.cells}
        notebook = self.cells[0].notebook if self.cells else result.assignment
        extra = [GradedCell(notebook, item.id, item.points) for item in result.tests if item.id not in known]
        return self.cells + extra

    # ----- one student's submission --------------------------------------------------------

    def record(self, result: SubmissionResult) -> None:
        """Write ``result`` (scores and outcome) in one transaction; idempotent.

        A lost connection is retried with backoff (autograder.records.db_retry), each time the whole
        transaction; past the budget it raises GradebookUnavailable with nothing of it written.
        """
        if result.assignment != self.assignment:
            raise ValueError(f"result for {result.assignment!r} given to the {self.assignment!r} writer")

        def attempt() -> None:
            try:
                self._record(result)
                self.gradebook.db.commit()
            except BaseException:
                self._rollback()
                raise

        db_retry.with_backoff(attempt, recover=self._reconnect, what=f"{result.student}'s grade")

    def _record(self, result: SubmissionResult) -> None:
        from nbgrader.api import Assignment, Grade, Student, SubmittedAssignment, SubmittedNotebook

        db = self.gradebook.db
        student = db.get(Student, result.student)
        if student is None:
            student = Student(id=result.student)
            db.add(student)
        assignment = db.execute(select(Assignment).filter_by(name=self.assignment)).scalar_one()
        submission = db.execute(select(SubmittedAssignment).filter_by(
            assignment=assignment, student=student)).scalar_one_or_none()
        if submission is None:
            submission = SubmittedAssignment(assignment=assignment, student=student)
            db.add(submission)
        # ``timestamp`` is nbgrader's submission time: set by the late pass (autograder.records.lateness)
        # from what the student handed in, never the grading time (that is ``course_outcome.graded_at``).

        scores = {item.id: item.score for item in result.tests}
        items = {item.id: item for item in result.tests}
        graded = result.outcome.keeps_item_scores
        submitted_notebooks: dict[str, object] = {}
        total = 0.0
        for cell in self._cells_for(result):
            grade_cell = self._ensure_cell(cell)
            notebook = grade_cell.notebook
            submitted = submitted_notebooks.get(notebook.id)
            if submitted is None:
                submitted = db.execute(select(SubmittedNotebook).filter_by(
                    assignment=submission, notebook=notebook)).scalar_one_or_none()
                if submitted is None:
                    submitted = SubmittedNotebook(assignment=submission, notebook=notebook)
                    db.add(submitted)
                    db.flush()
                manual_grades.ensure_comments(db, submitted)
                submitted_notebooks[notebook.id] = submitted
            grade = db.execute(select(Grade).filter_by(notebook=submitted, cell_id=grade_cell.id)
                               ).scalar_one_or_none()
            if grade is None:
                grade = Grade(notebook=submitted, cell_id=grade_cell.id)
                db.add(grade)
            score = float(scores.get(cell.grade_id, 0.0)) if graded else 0.0
            grade.auto_score = min(max(score, 0.0), cell.points)
            grade.needs_manual_grade = manual_grades.needs_manual_grade(grade, items.get(cell.grade_id), graded)
            total += grade.auto_score
        db.flush()
        self._write_outcome(result, total, sum(c.points for c in self._cells_for(result)))

    def _write_outcome(self, result: SubmissionResult, score: float, max_score: float) -> None:
        db = self.gradebook.db
        row = {
            "outcome": result.outcome.value,
            "reason": result.reason,
            "score": score,
            "max_score": max_score,
            "profile": result.profile,
            "seconds": float(result.seconds),
            "graded_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
            "result_json": result.to_json(),
        }
        key = (outcome_table.c.assignment == self.assignment) & (outcome_table.c.student == result.student)
        previous = db.execute(select(outcome_table).where(key)).first()
        if previous is None:
            db.execute(outcome_table.insert().values(assignment=self.assignment, student=result.student, **row))
        else:
            regrades.keep_earlier(db, self.assignment, result.student, dict(previous._mapping), row)
            db.execute(outcome_table.update().where(key).values(**row))
