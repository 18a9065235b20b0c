"""The attack suite: hostile submissions through the real pipeline (sandbox, judge, gradebook).

Each hostile student of the demo's class (see autograder.demo.class_demo) must gain no
points, leave everyone else's grades intact, keep the gradebook consistent,
and have a clear reason on record.
"""

from __future__ import annotations

import sqlite3

import nbformat
import pytest

import cohort
from autograder.demo import class_demo as demo
from autograder.records import gradebook, gradebook_queries
from autograder.grading import grade_class as grading
from autograder.records.results import Outcome

pytestmark = pytest.mark.slow

HOSTILE = ["infinite_loop", "memory_hog", "tamper_checks", "always_equal", "escape", "tamper_cells",
           "tamper_judge"]


@pytest.fixture(scope="module")
def run() -> demo.DemoRun:
    cohort.skip_without_data()
    cohort.skip_without_isolation()
    return cohort.graded_class()


@pytest.fixture(scope="module")
def db_url(run: demo.DemoRun) -> str:
    return run.gradings[cohort.ASSIGNMENT].db_url


def executed_text(run: demo.DemoRun, student: str) -> str:
    path = run.gradings[cohort.ASSIGNMENT].out_dir / "executed" / f"{student}.ipynb"
    nb = nbformat.read(path, as_version=4)
    return "\n".join(str(output.get("text", "")) for cell in nb.cells for output in cell.get("outputs", []))


@pytest.mark.parametrize("student", HOSTILE)
def test_a_hostile_submission_gains_nothing_and_says_why(run: demo.DemoRun, db_url: str, student: str) -> None:
    """Zero points in the gradebook, and a reason (outcome reason or per-test messages) on record?"""
    rows = {row.student: row for row in gradebook_queries.student_rows(db_url, cohort.ASSIGNMENT)}
    assert rows[student].score == 0.0 and set(rows[student].cells.values()) == {0.0}
    (stored,) = [r for r in gradebook_queries.load_results(db_url, cohort.ASSIGNMENT) if r.student == student]
    explanation = stored.reason or " ".join(t.message for t in stored.tests)
    assert len(explanation) > 20, explanation


def test_patching_checks_and_numpy_passes_the_visible_checks_but_not_the_judge(run: demo.DemoRun) -> None:
    """The always-equal and numpy-patching students fool the kernel, not the out-of-process judge."""
    got = cohort.results()
    for student in ("always_equal", "tamper_checks"):
        messages = " ".join(t.message for t in got[student].tests)
        assert "visible checks of this test failed" not in messages, messages
        assert got[student].score == 0


def test_other_students_keep_their_grades(run: demo.DemoRun, db_url: str) -> None:
    """Next to the attackers, do honest students get exactly what they earned?"""
    rows = {row.student: row for row in gradebook_queries.student_rows(db_url, cohort.ASSIGNMENT)}
    assert rows["solution"].score == rows["solution"].max_score == 2.0
    assert rows["partial"].cells == {"test_normalize_images": 1.0, "test_one_hot": 0.0}
    assert rows["buggy"].cells == {"test_normalize_images": 1.0, "test_one_hot": 0.0}


def test_the_gradebook_is_consistent_and_untouched(run: demo.DemoRun, db_url: str) -> None:
    """No duplicate or mixed rows, SQLite's integrity check passes, the escape's writes never landed."""
    assert gradebook_queries.consistency_problems(db_url, cohort.ASSIGNMENT) == []
    db_file = run.out_dir / "gradebook.db"
    with sqlite3.connect(db_file) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert b"all grades are 100" not in db_file.read_bytes()
    assert not (run.out_dir / "PWNED").exists()


def test_the_escape_reached_neither_files_nor_network(run: demo.DemoRun) -> None:
    """Inside the sandbox, were the solutions, checks, gradebook and network all out of reach?"""
    text = executed_text(run, "escape")
    assert "blocked: read" in text and "blocked: network" in text
    assert demo.ESCAPE_MARKER not in text, text


def test_edited_grade_cells_are_restored(run: demo.DemoRun) -> None:
    """Emptying the grade cells and claiming 100 points: the cells are restored (notes say so), and
    the changed points, which no slip produces, make the outcome tampering."""
    result = cohort.results()["tamper_cells"]
    assert result.max_score == 2.0 and result.score == 0
    assert any("restored" in note for note in result.notes), result.notes
    assert result.outcome is Outcome.TAMPERING and result.reason.startswith("The points of test_"), result.reason


def test_regrading_one_student_changes_no_other_row(run: demo.DemoRun, db_url: str, monkeypatch) -> None:
    """Regrade the escape student alone: same rows, same grades for everyone."""
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    before = gradebook_queries.student_rows(db_url, cohort.ASSIGNMENT)
    graded = run.gradings[cohort.ASSIGNMENT]
    again = grading.grade_class(cohort.ASSIGNMENT, run.out_dir / "submissions" / cohort.ASSIGNMENT,
                                students=["escape"], db_url=db_url, out_dir=graded.out_dir, root=cohort.REPO,
                                workers=1, progress=False, options={"limits": cohort.demo_limits()})
    assert [r.outcome for r in again.results] == [Outcome.GRADED]
    after = gradebook_queries.student_rows(db_url, cohort.ASSIGNMENT)
    strip = [(r.student, r.score, r.cells, r.outcome) for r in before]
    assert strip == [(r.student, r.score, r.cells, r.outcome) for r in after]
    assert gradebook_queries.consistency_problems(db_url, cohort.ASSIGNMENT) == []
