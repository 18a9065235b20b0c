"""``course export-lms``: one CSV for a learning-management system, one row per student and one
column per assignment (its total), from one or several gradebooks.

Why a separate export: ``course export`` writes one assignment with every test cell, which is
what a TA reads; an LMS (Moodle, Canvas, Blackboard) imports a grade sheet with a student id
column and a column per graded item, and an empty cell where nothing was submitted. Scores are
read from nbgrader's gradebook tables (``gradebook_queries.student_rows``), so a manual grade entered
in nbgrader afterwards is what the LMS receives. A late penalty is already taken off each total (as
``nbgrader export`` does); an assignment with late work gets a ``<assignment> late`` column beside
(hours late and the points it cost), placed after the score columns so an LMS import can skip it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Sequence, TextIO

from sqlalchemy import create_engine, select

from autograder.records import gradebook, gradebook_queries


def assignments_in(url: str) -> list[str]:
    """The assignments the gradebook at ``url`` holds results for, sorted (none for a missing file)."""
    if not gradebook_queries.has_results(url):
        return []
    engine = create_engine(gradebook.normalize_url(url))
    try:
        with engine.connect() as connection:
            names = connection.execute(select(gradebook.outcome_table.c.assignment).distinct()).scalars().all()
    finally:
        engine.dispose()
    return sorted(names)


def default_gradebooks(grading_dir: Path) -> list[str]:
    """``grading/<assignment>/gradebook.db`` of every assignment graded with the default ``--out``."""
    return [f"sqlite:///{path}" for path in sorted(Path(grading_dir).glob("*/gradebook.db"))]


def write_lms_csv(urls: Sequence[str], stream: TextIO) -> tuple[int, list[str]]:
    """Write the sheet (``student``, then ``<assignment> (/<max>)`` per assignment); return the
    number of students and the assignments, in column order."""
    scores: dict[str, dict[str, float]] = {}
    maxima: dict[str, float] = {}
    late: dict[str, dict[str, str]] = {}   # assignment -> student -> "hours late, -penalty" (late work only)
    for url in urls:
        for assignment in assignments_in(url):
            for row in gradebook_queries.student_rows(url, assignment):
                scores.setdefault(row.student, {})[assignment] = row.final_score  # after a late penalty
                maxima[assignment] = max(maxima.get(assignment, 0.0), row.max_score)
                if row.seconds_late or row.late_penalty:
                    late.setdefault(assignment, {})[row.student] = (
                        f"{row.seconds_late / 3600:.1f} h late, -{min(row.late_penalty, row.score):g}")
    columns = sorted(maxima)
    writer = csv.writer(stream)
    writer.writerow(["student", *(f"{name} (/{maxima[name]:g})" for name in columns),
                     *(f"{name} late" for name in columns if name in late)])
    for student in sorted(scores):
        writer.writerow([student, *("" if name not in scores[student] else f"{scores[student][name]:g}"
                                    for name in columns),
                         *(late[name].get(student, "") for name in columns if name in late)])
    return len(scores), columns
