"""Questions about the class pipeline (`course grade`) with a stand-in for the per-submission core.

The stand-in (``fake_grade``) reads the score a submission "deserves" from a
file, so these tests check the orchestration alone: parallel workers, crashes,
the single writer, feedback and report files, idempotent regrades.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from autograder.records import gradebook, gradebook_queries
from autograder.grading import grade_class as grading, scheduler
from autograder.records.results import ItemResult, Outcome, SubmissionResult
from fake_course import make_course

ASSIGNMENT = "00_demo"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


def fake_grade(assignment: str, submission_dir: Path, *, student: str, course_root: Path,
               work_dir: Path) -> SubmissionResult:
    """Stand-in for autograder.submission.grade.grade_submission, driven by the student's name."""
    if student.startswith("crash"):
        os._exit(3)                      # the worker process dies
    if student.startswith("boom"):
        raise RuntimeError("grader bug")
    figure = Path(work_dir) / "plot.png"
    figure.write_bytes(PNG)
    add, mul = json.loads((Path(submission_dir) / "scores.json").read_text())
    return SubmissionResult(student=student, assignment=assignment, outcome=Outcome.GRADED, profile="smoke",
                            tests=[ItemResult("test_add", 2.0, add, "add: checked on 3 hidden inputs"),
                                   ItemResult("test_mul", 3.0, mul, "mul: wrong sign on negative inputs")],
                            isolation=["network cut (test stand-in)"], figures=[str(figure)])




def make_class(folder: Path, scores: dict[str, tuple[float, float]]) -> Path:
    for student, pair in scores.items():
        (folder / student).mkdir(parents=True)
        (folder / student / "scores.json").write_text(json.dumps(pair))
    return folder


@pytest.fixture()
def course(tmp_path: Path) -> Path:
    return make_course(tmp_path / "course")


def grade(course: Path, submissions: Path, **kwargs):
    return grading.grade_class(ASSIGNMENT, submissions, root=course, out_dir=course / "out", workers=2,
                               grade_fn=fake_grade, progress=False, **kwargs)


def test_a_dying_worker_costs_only_its_own_student(course: Path, tmp_path: Path) -> None:
    """Does a worker crash (and a grader exception) give that student a reasoned zero, others intact?"""
    submissions = make_class(tmp_path / "subs", {"alice": (2, 3), "bob": (2, 0), "crash_carl": (2, 3),
                                                 "boom_dora": (2, 3), "erin": (0, 1.5)})
    graded = grade(course, submissions)
    scores = {r.student: (r.score, r.outcome) for r in graded.results}
    assert scores == {"alice": (5.0, Outcome.GRADED), "bob": (2.0, Outcome.GRADED),
                      "erin": (1.5, Outcome.GRADED), "crash_carl": (0.0, Outcome.GRADER_ERROR),
                      "boom_dora": (0.0, Outcome.GRADER_ERROR)}
    reasons = {r.student: r.reason for r in graded.results}
    assert "worker crashed" in reasons["crash_carl"]
    assert "RuntimeError: grader bug" in reasons["boom_dora"]
    assert gradebook_queries.consistency_problems(graded.db_url, ASSIGNMENT) == []
    assert [row.student for row in gradebook_queries.student_rows(graded.db_url, ASSIGNMENT)] == sorted(scores)


def test_outputs_land_where_the_ta_expects_them(course: Path, tmp_path: Path) -> None:
    """Are gradebook, feedback pages (with figures), executed notebooks and the report all under OUT?"""
    graded = grade(course, make_class(tmp_path / "subs", {"alice": (2, 3), "bob": (0, 0)}))
    out = course / "out"
    assert graded.db_url == gradebook.default_url(out) and (out / "gradebook.db").exists()
    page = (out / "feedback" / "alice" / "feedback.html").read_text()
    assert "5 / 5" in page and "mul: wrong sign on negative inputs" in page and "figure_01.png" in page
    assert (out / "feedback" / "alice" / "figure_01.png").read_bytes() == PNG
    report = graded.report_path.read_text()
    assert "smoke" in report and "test_mul" in report and (out / "report" / "scores.png").exists()
    assert "../feedback/alice/feedback.html" in report


def test_regrading_one_student_is_idempotent(course: Path, tmp_path: Path) -> None:
    """Does `--student bob` after a fix update bob only, with no duplicate rows?"""
    submissions = make_class(tmp_path / "subs", {"alice": (2, 3), "bob": (0, 0)})
    graded = grade(course, submissions)
    (submissions / "bob" / "scores.json").write_text(json.dumps([2, 1]))
    again = grade(course, submissions, students=["bob"])
    assert [r.student for r in again.results] == ["bob"]
    rows = {row.student: row.score for row in gradebook_queries.student_rows(graded.db_url, ASSIGNMENT)}
    assert rows == {"alice": 5.0, "bob": 3.0}
    assert gradebook_queries.consistency_problems(graded.db_url, ASSIGNMENT) == []
    with pytest.raises(KeyError, match="zed"):
        grade(course, submissions, students=["zed"])


def test_a_rerun_grades_only_what_changed(course: Path, tmp_path: Path, monkeypatch) -> None:
    """Interrupted or topped up, a rerun keeps the results whose folder is unchanged, regrades a
    changed folder, a new student and a grader error, and --force regrades all; rows end the same."""
    monkeypatch.setenv("COURSE_PROFILE", "smoke")  # the stand-in's results say smoke
    submissions = make_class(tmp_path / "subs", {"alice": (2, 3), "bob": (0, 0), "boom": (1, 1)})
    first = grade(course, submissions)
    assert first.unchanged == [] and first.by_student()["boom"].outcome is Outcome.GRADER_ERROR
    def kept_rows():  # boom's row changes: its grader error is tried again (and recorded again)
        return [row for row in gradebook_queries.student_rows(first.db_url, ASSIGNMENT) if row.student != "boom"]

    rows = kept_rows()
    again = grade(course, submissions)
    assert again.unchanged == ["alice", "bob"]
    assert kept_rows() == rows
    (submissions / "bob" / "scores.json").write_text(json.dumps([2, 1]))
    make_class(submissions, {"carol": (1, 0)})
    third = grade(course, submissions)
    assert third.unchanged == ["alice"] and third.by_student()["bob"].score == 3.0
    assert sorted(r.student for r in third.results) == ["alice", "bob", "boom", "carol"]
    assert grade(course, submissions, force=True).unchanged == []
    assert gradebook_queries.consistency_problems(third.db_url, ASSIGNMENT) == []
    monkeypatch.setenv("COURSE_JUDGE_SECRET", "another term")  # other hidden cases: nothing is kept
    assert grade(course, submissions).unchanged == []


def test_the_output_folder_may_not_sit_inside_the_submissions(course: Path, tmp_path: Path) -> None:
    """Could a student's folder contain the gradebook? The grader refuses that layout."""
    submissions = make_class(tmp_path / "subs", {"alice": (2, 3)})
    with pytest.raises(ValueError, match="must not contain"):
        grading.grade_class(ASSIGNMENT, submissions, root=course, out_dir=submissions / "alice" / "out",
                            grade_fn=fake_grade, progress=False)


def test_nbgrader_layout_is_found(tmp_path: Path) -> None:
    """Does DIR/<student>/<assignment>/ work as well as DIR/<student>/?"""
    (tmp_path / "alice" / ASSIGNMENT).mkdir(parents=True)
    (tmp_path / "bob").mkdir()
    (tmp_path / ".hidden").mkdir()
    found = grading.find_submissions(tmp_path, ASSIGNMENT)
    assert found == {"alice": tmp_path / "alice" / ASSIGNMENT, "bob": tmp_path / "bob"}


def slow_square(x: int) -> int:
    time.sleep(0.2)
    if x == 3:
        raise ValueError("three")
    return x * x


def test_the_dask_scheduler_gives_the_same_answers() -> None:
    """Does the Dask path yield every job, with failures as data?"""
    got = dict(scheduler.run_jobs(slow_square, [1, 2, 3], workers=1, scheduler="dask-local",
                                  on_error=lambda job, exc: f"failed: {exc}"))
    assert got == {1: 1, 2: 4, 3: "failed: three"}


def test_unknown_schedulers_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown scheduler"):
        list(scheduler.run_jobs(slow_square, [1], workers=1, scheduler="slurm", on_error=None))


def test_collect_unpacks_archives_and_copies_nbgrader_folders(tmp_path: Path) -> None:
    """Do <student>.zip (with or without a top folder) and submitted/<student>/<NN>/ end up as DIR/<student>/?"""
    import zipfile

    from autograder.grading import collect

    source = tmp_path / "downloads"
    (source / "carol" / ASSIGNMENT).mkdir(parents=True)
    (source / "carol" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_text("{}")
    with zipfile.ZipFile(source / "alice.zip", "w") as archive:
        archive.writestr(f"alice_work/{ASSIGNMENT}.ipynb", "{}")
        archive.writestr("alice_work/model.npz", b"data")
    with zipfile.ZipFile(source / "bob.zip", "w") as archive:
        archive.writestr(f"{ASSIGNMENT}.ipynb", "{}")
    assert collect.collect(ASSIGNMENT, source, tmp_path / "class").collected == ["alice", "bob", "carol"]
    assert sorted(p.name for p in (tmp_path / "class" / "alice").iterdir()) == [f"{ASSIGNMENT}.ipynb", "model.npz"]
    assert (tmp_path / "class" / "bob" / f"{ASSIGNMENT}.ipynb").exists()
    assert (tmp_path / "class" / "carol" / f"{ASSIGNMENT}.ipynb").exists()


def test_collect_refuses_archives_that_escape_their_folder(tmp_path: Path) -> None:
    import zipfile

    from autograder.grading import collect

    (tmp_path / "downloads").mkdir()
    with zipfile.ZipFile(tmp_path / "downloads" / "mallory.zip", "w") as archive:
        archive.writestr("../../gradebook.db", "all grades are 100")
    done = collect.collect(ASSIGNMENT, tmp_path / "downloads", tmp_path / "class")
    assert done.collected == [] and "unsafe path" in done.skipped[0].reason
    assert not (tmp_path / "gradebook.db").exists()
