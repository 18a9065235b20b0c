"""Regrades keep an audit trail, and a TA's hand grade survives them.

A stand-in for the per-submission core (``regrade_grade``, driven by a file in the student's
folder) keeps these tests to the class pipeline: the gradebook writer, ``course_regrade``,
nbgrader's ``needs_manual_grade``, the report.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from autograder.grading import grade_class as grading
from autograder.records import manual_grades, regrades
from autograder.records.results import ItemResult, Outcome, SubmissionResult

ASSIGNMENT = "00_demo"


def regrade_grade(assignment: str, submission_dir: Path, *, student: str, course_root: Path,
                  work_dir: Path) -> SubmissionResult:
    """Stand-in for grade_submission: ``work.json`` says the add score and the written answer."""
    work = json.loads((Path(submission_dir) / "work.json").read_text())
    return SubmissionResult(student=student, assignment=assignment, outcome=Outcome.GRADED, profile="smoke", tests=[
        ItemResult("test_add", 2.0, work["add"], "add: checked"),
        ItemResult("answer_0_1", 3.0, 0.0, "Graded by hand; not scored automatically.", kind="manual",
                   answer=work["answer"])])


@pytest.fixture()
def course(tmp_path: Path) -> Path:
    """A released notebook with a code grade cell (2 points) and a written answer (3 points)."""
    notebook = nbformat.v4.new_notebook()
    test = nbformat.v4.new_code_cell("assert True")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "test_add", "points": 2, "locked": True,
                                 "solution": False, "schema_version": 3}
    answer = nbformat.v4.new_markdown_cell("YOUR ANSWER HERE")
    answer.metadata["nbgrader"] = {"grade": True, "grade_id": "answer_0_1", "points": 3, "locked": False,
                                   "solution": True, "schema_version": 3}
    notebook.cells += [test, answer]
    folder = tmp_path / "course" / "assignments" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")
    return tmp_path / "course"


def _hand_in(folder: Path, add: float, answer: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "work.json").write_text(json.dumps({"add": add, "answer": answer}))


def _grade(course: Path, subs: Path, **kwargs):
    return grading.grade_class(ASSIGNMENT, subs, root=course, out_dir=course / "out", workers=1,
                               grade_fn=regrade_grade, progress=False, **kwargs)


def test_a_regrade_keeps_the_earlier_result_and_who_changed_what(course, tmp_path, monkeypatch):
    """Does regrading alice after a fix record the earlier result, who regraded, when and what
    changed, keep the TA's hand score on her answer, and show it all in the report?"""
    subs = tmp_path / "subs"
    _hand_in(subs / "alice", 0.0, "Because the kernel is flipped.")
    _hand_in(subs / "bob", 2.0, "")
    first = _grade(course, subs)
    assert regrades.history(first.db_url, ASSIGNMENT) == []          # a first grading is no regrade
    marks = manual_grades.marks(first.db_url, ASSIGNMENT)
    assert marks["alice"]["answer_0_1"].needs_manual_grade and not marks["bob"]["answer_0_1"].needs_manual_grade

    from nbgrader.api import Gradebook

    with Gradebook(first.db_url) as book:   # what formgrader does when a TA scores and comments
        grade = book.find_grade("answer_0_1", ASSIGNMENT, ASSIGNMENT, "alice")
        grade.manual_score, grade.needs_manual_grade = 2.5, False
        book.find_comment("answer_0_1", ASSIGNMENT, ASSIGNMENT, "alice").manual_comment = "Say why."
        book.db.commit()

    _hand_in(subs / "alice", 2.0, "Because the kernel is flipped.")   # the fix (an accepted request)
    monkeypatch.setenv("COURSE_TA", "tess")
    _grade(course, subs, students=["alice"])
    history = regrades.history(first.db_url, ASSIGNMENT)
    assert [(r.student, r.changed_by, r.previous_score, r.score) for r in history] == [("alice", "tess", 0.0, 2.0)]
    assert history[0].changes == "total 0 -> 2; test_add 0 -> 2"
    from sqlalchemy import create_engine, select

    engine = create_engine(first.db_url)
    with engine.connect() as connection:
        kept = connection.execute(select(regrades.regrade_table.c.previous_result_json)).scalar_one()
    engine.dispose()
    assert SubmissionResult.from_json(kept).tests[0].score == 0.0   # the earlier result, whole

    alice = manual_grades.marks(first.db_url, ASSIGNMENT)["alice"]["answer_0_1"]
    assert (alice.manual_score, alice.comment, alice.needs_manual_grade) == (2.5, "Say why.", False)
    report = (course / "out" / "report" / "report.html").read_text()
    assert "Regrades" in report and "tess" in report and "test_add 0 -&gt; 2" in report
    assert "Written answers: 1 of 1 graded by a TA, 0 still to grade (1 blank or not judged)" in report


def test_describe_changes_names_outcome_total_and_tests():
    """Is every kind of change worded, and an unchanged regrade said so?"""
    def row(outcome: str, score: float, tests: dict[str, float]) -> dict:
        result = SubmissionResult("s", ASSIGNMENT, Outcome(outcome),
                                  tests=[ItemResult(k, 5, v, "") for k, v in tests.items()])
        return {"outcome": outcome, "score": score, "result_json": result.to_json()}

    assert regrades.describe_changes(row("timeout", 1, {"test_a": 1, "test_b": 0}),
                                     row("graded", 3, {"test_a": 1, "test_b": 2})) == \
        "outcome timeout -> graded; total 1 -> 3; test_b 0 -> 2"
    assert regrades.describe_changes(row("graded", 1, {"test_a": 1}), row("graded", 1, {"test_a": 1})) == "no change"
