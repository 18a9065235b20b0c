"""Does every grading job have a clock, on every scheduler?

A job that runs past its bound (a Python loop, a C call that never returns) is recorded as
a grader timeout for that student alone; the others get their real results, and the run
does not wait for the stuck job.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from autograder.grading import grade_class as grading, scheduler
from autograder.records.results import Outcome, SubmissionResult
from fake_course import make_course
from test_grading import ASSIGNMENT, fake_grade, make_class


def work(job: tuple[str, float]) -> str:
    """A job that returns at once, spins in Python, or sleeps in C, for ``job[1]`` seconds."""
    kind, seconds = job
    end = time.monotonic() + seconds
    if kind == "spin":
        while time.monotonic() < end:
            pass
    elif kind == "sleep":
        time.sleep(seconds)
    return f"{kind} done"


def hanging_grade(assignment: str, submission_dir: Path, *, student: str, course_root: Path,
                  work_dir: Path) -> SubmissionResult:
    """fake_grade, except that a student named ``hang_*`` never finishes."""
    while student.startswith("hang"):
        time.sleep(0.05)
    return fake_grade(assignment, submission_dir, student=student, course_root=course_root, work_dir=work_dir)


JOBS = [("fast", 0.0), ("spin", 600.0), ("sleep", 600.0), ("fast", 0.1)]


def _run(backend: str) -> tuple[dict, float]:
    started = time.monotonic()
    got = {job: value for job, value in scheduler.run_jobs(
        work, JOBS, workers=2, scheduler=backend, job_seconds=1.0,
        on_error=lambda job, exc: f"failed: {type(exc).__name__}: {exc}")}
    return got, time.monotonic() - started


@pytest.mark.parametrize("backend", ["local", "dask-local"])
def test_a_job_past_its_bound_is_a_timeout_and_the_others_finish(backend: str) -> None:
    """A Python loop and a C sleep of 10 minutes under a 1 s bound: are both timeouts, the quick
    jobs done, and the run over long before either would have ended, on the local pool and on Dask?"""
    got, seconds = _run(backend)
    timeout = "failed: JobTimeout: the job ran longer than its bound of 1 s"
    assert got == {("fast", 0.0): "fast done", ("spin", 600.0): timeout, ("sleep", 600.0): timeout,
                   ("fast", 0.1): "fast done"}
    assert seconds < 300, seconds  # a few seconds on an idle machine (dask-local's start included)


def test_a_hanging_submission_is_a_grader_timeout_for_that_student_alone(tmp_path: Path) -> None:
    """Through `course grade`: does a grading that never ends give that student a grader error
    naming the bound, while the others are graded?"""
    course = make_course(tmp_path / "course")
    submissions = make_class(tmp_path / "subs", {"alice": (2, 3), "hang_hal": (2, 3), "bob": (1, 0)})
    graded = grading.grade_class(ASSIGNMENT, submissions, root=course, out_dir=course / "out", workers=2,
                                 grade_fn=hanging_grade, progress=False, job_seconds=2.0)
    results = graded.by_student()
    assert (results["alice"].score, results["bob"].score) == (5.0, 1.0)
    assert results["hang_hal"].outcome is Outcome.GRADER_ERROR and results["hang_hal"].score == 0
    assert "bound of 2 s" in results["hang_hal"].reason and "not your fault" in results["hang_hal"].reason


def test_the_default_bound_covers_every_step_of_a_grading() -> None:
    """Is the default clock longer than the notebook's wall clock plus the checker runs, for every
    week: the function harness, and each served file twice (in the submission's one model process,
    then alone when that process ran out of time)?"""
    from autograder.isolation.sandbox import Limits
    from autograder.sources import release
    from autograder.verdicts import judging

    limits = Limits(wall_seconds=100, artifact_seconds=1000)  # larger than the fixed margin
    for week in release.list_assignments():
        artifacts = [c for c in judging.load_checks(week) if isinstance(c, judging.ArtifactCheck)]
        served = {c.path for c in artifacts if c.serve is not None}
        runs = 1 + 2 * len(served) + len([c for c in artifacts if c.serve is None])
        assert grading.time_bound({"limits": limits}) > 100 + runs * 1000, week
    with pytest.raises(ValueError, match="positive"):
        scheduler.bounded(work, 0)


def big_notebook_grade(assignment: str, submission_dir: Path, *, student: str, course_root: Path,
                       work_dir: Path) -> SubmissionResult:
    """fake_grade, whose executed notebook is over the size a worker sends back."""
    from autograder.grading import jobs

    result = fake_grade(assignment, submission_dir, student=student, course_root=course_root, work_dir=work_dir)
    executed = Path(work_dir) / "executed.ipynb"
    executed.write_bytes(b" " * (jobs.MAX_NOTEBOOK_BYTES + 1))
    result.executed_notebook = str(executed)
    return result


def test_an_executed_notebook_that_is_not_kept_is_said_in_the_result_and_the_feedback(tmp_path: Path) -> None:
    """A notebook over the bound is dropped by the worker: do the result and the feedback page say so?"""
    from autograder.grading import jobs

    course = make_course(tmp_path / "course")
    submissions = make_class(tmp_path / "subs", {"alice": (2, 3)})
    graded = grading.grade_class(ASSIGNMENT, submissions, root=course, out_dir=course / "out", workers=1,
                                 grade_fn=big_notebook_grade, progress=False)
    alice = graded.by_student()["alice"]
    assert alice.score == 5.0 and alice.executed_notebook is None
    assert jobs.NOTEBOOK_NOT_KEPT in alice.notes
    page = (course / "out" / "feedback" / "alice" / "feedback.html").read_text()
    assert "executed notebook was not kept" in page
