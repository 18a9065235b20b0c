"""Intake attacks through the real pipeline: links in the class folder grade nobody's work.

A class folder of 00_setup holds an honest control (the solution notebook, made as
autograder.demo.class_demo makes it), a link to the control's folder under another name, a link to
``solutions/00_setup``, a real folder whose ``00_setup/`` is a link to the solutions, and
a dot folder. Graded by ``grading.grade_class`` with the real sandbox.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import cohort
from autograder.demo import class_demo as demo
from autograder.records import gradebook, gradebook_queries
from autograder.grading import grade_class as grading
from autograder.submission import grade as submission
from autograder.records.results import Outcome

pytestmark = pytest.mark.slow


def test_links_in_the_class_folder_get_no_points_and_the_control_full_marks(tmp_path: Path,
                                                                          monkeypatch) -> None:
    """Do the links get no row with points, the nested link and dot folder a reasoned zero, the control 2/2?"""
    cohort.skip_without_data()
    cohort.skip_without_isolation()
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    ref = submission.reference(cohort.ASSIGNMENT, cohort.REPO)
    ctx = demo.Context(cohort.ASSIGNMENT, ref.released, ref.source, cohort.REPO, tmp_path / "gradebook.db")
    control = [s for s in demo.CLASS if s.name == "solution"]
    subs = demo.write_class(ctx, control, tmp_path / "subs")
    solutions = cohort.REPO / "solutions" / cohort.ASSIGNMENT
    os.symlink(subs / "solution", subs / "copycat")
    os.symlink(solutions, subs / "instructor")
    (subs / "nested").mkdir()
    os.symlink(solutions, subs / "nested" / cohort.ASSIGNMENT)
    (subs / ".dotted").mkdir()
    os.symlink(solutions / f"{cohort.ASSIGNMENT}.ipynb", subs / ".dotted" / f"{cohort.ASSIGNMENT}.ipynb")

    graded = grading.grade_class(cohort.ASSIGNMENT, subs, out_dir=tmp_path / "out", root=cohort.REPO, workers=1,
                                 progress=False, options={"limits": cohort.demo_limits()})

    got = {r.student: r for r in graded.results}
    assert sorted(got) == [".dotted", "nested", "solution"]
    assert got["solution"].outcome is Outcome.GRADED
    assert got["solution"].score == got["solution"].max_score == 2.0
    assert (got["nested"].outcome, got["nested"].score) == (Outcome.INVALID_NOTEBOOK, 0.0)
    assert (got[".dotted"].outcome, got[".dotted"].score) == (Outcome.MISSING_NOTEBOOK, 0.0)
    assert "symbolic link" in got["nested"].reason and "rename" in got[".dotted"].reason
    rows = {row.student: row for row in gradebook_queries.student_rows(graded.db_url, cohort.ASSIGNMENT)}
    assert sorted(rows) == [".dotted", "nested", "solution"]
    assert all(rows[s].score == 0.0 for s in (".dotted", "nested"))
    skipped = {s.entry: s.student for s in graded.skipped}
    assert skipped == {"copycat": None, "instructor": None, f"nested/{cohort.ASSIGNMENT}": "nested",
                       ".dotted": ".dotted"}
    assert not (graded.out_dir / "executed" / "copycat.ipynb").exists()
    assert "skipped &#39;instructor&#39;" in graded.report_path.read_text()
