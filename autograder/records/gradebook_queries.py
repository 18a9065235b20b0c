"""Reading the class gradebook back: results for pages and resumed runs, one row per student
for exports, and an audit that the stored grades agree with each other.

Reads only; :class:`autograder.records.gradebook.GradebookWriter` is the one writer.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlalchemy import create_engine, inspect, select

from autograder.records import manual_grades
from autograder.records.gradebook import OUTCOME_TABLE, normalize_url, open_gradebook, outcome_table
from autograder.records.results import Outcome, SubmissionResult


@dataclass(frozen=True)
class StudentRow:
    """One line of the export: a student's scores as the gradebook holds them."""

    student: str
    score: float          # sum of nbgrader Grade.score (manual score wins over auto)
    max_score: float
    outcome: str
    reason: str
    profile: str
    graded_at: str
    cells: dict[str, float]  # grade_id -> score
    seconds: float = 0.0                  # the submission's grading time
    peak_memory_mib: float | None = None  # its run's highest real memory use, when the cgroup told
    submitted_at: str = ""                # nbgrader's SubmittedAssignment.timestamp (the late pass sets it)
    seconds_late: float = 0.0             # past the due date, extension included (nbgrader's total_seconds_late)
    late_penalty: float = 0.0             # nbgrader's late_submission_penalty (points), never in ``cells``

    @property
    def final_score(self) -> float:
        """The total after the late penalty, as ``nbgrader export`` computes it (never below 0)."""
        return max(0.0, self.score - self.late_penalty)


def has_results(url: str) -> bool:
    """Does ``url`` hold a course gradebook already (its file exists and has the outcome table)?"""
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return False
    engine = create_engine(normalize_url(url))
    try:
        return inspect(engine).has_table(OUTCOME_TABLE)
    finally:
        engine.dispose()


def load_results(url: str, assignment: str) -> list[SubmissionResult]:
    """Every recorded SubmissionResult of ``assignment``, sorted by student."""
    gradebook = open_gradebook(url)
    try:
        rows = gradebook.db.execute(select(outcome_table.c.result_json)
                                    .where(outcome_table.c.assignment == assignment)
                                    .order_by(outcome_table.c.student)).scalars().all()
    finally:
        gradebook.close()
    return [SubmissionResult.from_json(text) for text in rows]


def _peak_mib(result_json: str | None) -> float | None:
    peak = json.loads(result_json or "{}").get("peak_memory_bytes")
    return None if peak is None else round(peak / 2**20, 1)


def student_rows(url: str, assignment: str) -> list[StudentRow]:
    """The class as nbgrader's tables and ``course_outcome`` hold it, sorted by student."""
    gradebook = open_gradebook(url)
    try:
        outcomes = {row.student: row for row in gradebook.db.execute(
            select(outcome_table).where(outcome_table.c.assignment == assignment))}
        rows = []
        for submission in sorted(gradebook.assignment_submissions(assignment), key=lambda s: s.student.id):
            cells = {grade.name: float(grade.score) for nb in submission.notebooks for grade in nb.grades}
            outcome = outcomes.get(submission.student.id)
            rows.append(StudentRow(
                student=submission.student.id,
                score=float(submission.score),
                max_score=float(submission.max_score),
                outcome=outcome.outcome if outcome else "unknown",
                reason=outcome.reason if outcome else "graded outside `course grade`",
                profile=outcome.profile if outcome else "",
                graded_at=outcome.graded_at.isoformat(timespec="seconds") if outcome else "",
                cells=cells,
                seconds=float(outcome.seconds) if outcome else 0.0,
                peak_memory_mib=_peak_mib(outcome.result_json) if outcome else None,
                submitted_at=submission.timestamp.isoformat(sep=" ", timespec="seconds") if submission.timestamp else "",
                seconds_late=float(submission.total_seconds_late or 0.0),
                late_penalty=float(submission.late_submission_penalty or 0.0),
            ))
        return rows
    finally:
        gradebook.close()


def write_csv(url: str, assignment: str, stream: TextIO) -> int:
    """Write the gradebook of ``assignment`` as CSV (one row per student); return the row count."""
    rows = student_rows(url, assignment)
    cell_ids = sorted({cell for row in rows for cell in row.cells})
    manual_header, manual_cells = manual_grades.csv_columns(url, assignment)  # the TAs' comments, answers left
    # Late work's columns once the late pass has given anyone a time or a penalty (score stays the raw total).
    late = any(row.submitted_at or row.late_penalty for row in rows)
    writer = csv.writer(stream)
    writer.writerow(["student", "assignment", "score", "max_score", "outcome", "reason",
                     "profile", "graded_at", "seconds", "peak_memory_mib",
                     *(["submitted_at", "hours_late", "late_penalty", "final_score"] if late else []), *cell_ids,
                     *manual_header])
    for row in rows:
        writer.writerow([row.student, assignment, f"{row.score:g}", f"{row.max_score:g}", row.outcome,
                         row.reason, row.profile, row.graded_at, f"{row.seconds:.1f}",
                         "" if row.peak_memory_mib is None else f"{row.peak_memory_mib:g}",
                         *([row.submitted_at, f"{row.seconds_late / 3600:.2f}", f"{row.late_penalty:g}",
                            f"{row.final_score:g}"] if late else []),
                         *(f"{row.cells.get(cell, 0.0):g}" for cell in cell_ids), *manual_cells(row.student)])
    return len(rows)


def consistency_problems(url: str, assignment: str) -> list[str]:
    """What is wrong with the stored grades (empty when consistent).

    Checks: one submission per student, one grade per grade cell, every grade
    within [0, max_score], a zero for every non-graded outcome, and the nbgrader
    total equal to the total recorded beside the outcome (no manual grades).
    """
    problems = []
    gradebook = open_gradebook(url)
    try:
        from nbgrader.api import GradeCell, Notebook

        cell_count = len(gradebook.db.execute(
            select(GradeCell.id).join(Notebook).where(Notebook.assignment.has(name=assignment))).all())
        outcomes = {row.student: row for row in gradebook.db.execute(
            select(outcome_table).where(outcome_table.c.assignment == assignment))}
        submissions = gradebook.assignment_submissions(assignment)
        students = [s.student.id for s in submissions]
        if len(students) != len(set(students)):
            problems.append(f"duplicate submissions: {sorted(students)}")
        for submission in submissions:
            student = submission.student.id
            grades = [grade for nb in submission.notebooks for grade in nb.grades]
            if len(grades) != cell_count:
                problems.append(f"{student}: {len(grades)} grades for {cell_count} grade cells")
            for grade in grades:
                if not 0.0 <= grade.score <= grade.max_score + 1e-9:
                    problems.append(f"{student}/{grade.name}: score {grade.score} outside [0, {grade.max_score}]")
            outcome = outcomes.get(student)
            if outcome is None:
                problems.append(f"{student}: grades without a recorded outcome")
                continue
            manual = any(grade.manual_score is not None for grade in grades)
            if not Outcome(outcome.outcome).keeps_item_scores and submission.score != 0:
                problems.append(f"{student}: outcome {outcome.outcome} but score {submission.score}")
            if not manual and abs(float(submission.score) - outcome.score) > 1e-9:
                problems.append(f"{student}: gradebook total {submission.score} != recorded {outcome.score}")
        for student in set(outcomes) - set(students):
            problems.append(f"{student}: outcome recorded without a submission")
    finally:
        gradebook.close()
    return problems
