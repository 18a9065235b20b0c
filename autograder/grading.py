"""``course grade``: grade a whole class, in parallel, into one gradebook.

Pipeline (ordering matters, and is why each step lives where it does):

1. find the submissions: ``DIR/<student>/`` holds that student's files
   (``<NN_topic>.ipynb`` plus what it saved); nbgrader's
   ``DIR/<student>/<NN_topic>/`` layout works too;
2. grade each one in a worker (:func:`grade_job`, run by
   :mod:`autograder.scheduler`): the per-submission core
   ``autograder.submission.grade_submission`` runs the notebook in a sandbox
   and judges out of process; the worker ships back the result, its figures
   and the executed notebook as bytes, so workers may sit on other machines,
   and deletes its temporary copy; a worker that raises or dies gives *that*
   student a ``grader_error`` zero;
3. the parent alone writes the gradebook (one transaction per student) and the
   feedback page, then, when the class is done, the class report.

Outputs, all under ``OUT`` (default ``<course>/grading/<NN_topic>/``, never
inside a submission or a sandbox)::

    gradebook.db             SQLite gradebook (unless --db names another database)
    feedback/<student>/      feedback.html + figures, safe to hand to the student
    executed/<student>.ipynb the executed notebook, for TAs only
    report/                  report.html + scores.png (see autograder.report)
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from autograder import scheduler as scheduling
from autograder.gradebook import GradebookWriter, default_url, grade_cells_of
from autograder.results import Outcome, SubmissionResult

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")
MAX_FIGURES = 24
MAX_FIGURE_BYTES = 4 * 2**20
MAX_NOTEBOOK_BYTES = 32 * 2**20

GradeFunction = Callable[..., SubmissionResult]


def course_root() -> Path:
    """The repository this package was installed from (holds assignments/, solutions/)."""
    return Path(__file__).resolve().parent.parent


def default_out_dir(assignment: str, root: Path | None = None) -> Path:
    return Path(root or course_root()) / "grading" / assignment


def find_submissions(submissions: Path, assignment: str) -> dict[str, Path]:
    """Map student id -> the folder holding that student's files for ``assignment``.

    Every sub-folder of ``submissions`` is a student (hidden folders are
    skipped); a student without the notebook is still listed, so that they get
    a ``missing_notebook`` zero rather than silently no grade.
    """
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise FileNotFoundError(f"no submissions folder at {submissions}")
    found = {}
    for folder in sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not STUDENT_ID.match(folder.name):
            raise ValueError(f"{folder.name!r} is not a usable student id (letters, digits, _ . @ - only).")
        nested = folder / assignment
        found[folder.name] = nested if nested.is_dir() else folder
    return found


@dataclass(frozen=True)
class GradeJob:
    """What a worker needs to grade one submission (plain, picklable data)."""

    assignment: str
    student: str
    submission_dir: str
    course_root: str
    grade_fn: GradeFunction | None = None   # None: autograder.submission.grade_submission
    options: dict[str, Any] = field(default_factory=dict)  # e.g. {"limits": Limits(...)}
    work_root: str | None = None            # parent's scratch folder (local runs), removed by the parent


@dataclass
class GradedPayload:
    """What comes back from a worker: the result and the files feedback needs, as bytes."""

    result_json: str
    figures: dict[str, bytes] = field(default_factory=dict)
    executed_notebook: bytes | None = None


def _default_grade_fn() -> GradeFunction:
    from autograder.submission import grade_submission

    return grade_submission


def grader_error(job: GradeJob, reason: str, started: float | None = None) -> SubmissionResult:
    """A zero that is our fault, with the reason; never a pass."""
    return SubmissionResult(student=job.student, assignment=job.assignment, outcome=Outcome.GRADER_ERROR,
                            reason=reason, seconds=time.monotonic() - started if started else 0.0)


def grade_job(job: GradeJob) -> GradedPayload:
    """Worker side: grade one submission in a private temporary folder, return plain data."""
    grade_fn = job.grade_fn or _default_grade_fn()
    local_root = job.work_root if job.work_root and Path(job.work_root).is_dir() else None
    work_dir = Path(tempfile.mkdtemp(prefix=f"course-grade-{job.student}-", dir=local_root))
    started = time.monotonic()
    try:
        try:
            result = grade_fn(job.assignment, Path(job.submission_dir), student=job.student,
                              course_root=Path(job.course_root), work_dir=work_dir, **job.options)
        except Exception as exc:  # noqa: BLE001 - the grader's fault: that student gets a clear zero
            result = grader_error(job, f"the grader failed on this submission "
                                       f"({type(exc).__name__}: {str(exc)[:300]}); a TA will look at it.",
                                  started)
        if (result.student, result.assignment) != (job.student, job.assignment):
            result = grader_error(job, "the grader returned a result for another submission.", started)
        return GradedPayload(result.to_json(), _read_figures(result.figures),
                             _read_small(result.executed_notebook, MAX_NOTEBOOK_BYTES))
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _read_small(path: str | None, limit: int) -> bytes | None:
    if not path:
        return None
    file = Path(path)
    if not file.is_file() or file.is_symlink() or file.stat().st_size > limit:
        return None
    return file.read_bytes()


def _read_figures(paths: Sequence[str]) -> dict[str, bytes]:
    figures = {}
    for index, path in enumerate(paths[:MAX_FIGURES]):
        data = _read_small(path, MAX_FIGURE_BYTES)
        if data is not None and data.startswith(b"\x89PNG\r\n\x1a\n"):
            figures[f"figure_{index + 1:02d}.png"] = data
    return figures


@dataclass
class ClassGrading:
    """What ``grade_class`` did: every result, and where the outputs are."""

    assignment: str
    out_dir: Path
    db_url: str
    results: list[SubmissionResult]
    scheduler: str
    seconds: float

    @property
    def feedback_dir(self) -> Path:
        return self.out_dir / "feedback"

    @property
    def report_path(self) -> Path:
        return self.out_dir / "report" / "report.html"

    def by_student(self) -> dict[str, SubmissionResult]:
        return {r.student: r for r in self.results}


def _store_files(result: SubmissionResult, payload: GradedPayload, out_dir: Path) -> SubmissionResult:
    """Save the worker's figures and executed notebook under OUT; point the result at them."""
    figure_dir = out_dir / "feedback" / result.student
    if figure_dir.exists():
        for old in figure_dir.glob("figure_*.png"):
            old.unlink()
    figures = []
    for name, data in payload.figures.items():
        figure_dir.mkdir(parents=True, exist_ok=True)
        (figure_dir / name).write_bytes(data)
        figures.append(str(figure_dir / name))
    executed = None
    if payload.executed_notebook is not None:
        executed_path = out_dir / "executed" / f"{result.student}.ipynb"
        executed_path.parent.mkdir(parents=True, exist_ok=True)
        executed_path.write_bytes(payload.executed_notebook)
        executed = str(executed_path)
    return replace(result, figures=figures, executed_notebook=executed)


def _check_out_dir(out_dir: Path, submissions: Path) -> None:
    out, subs = out_dir.resolve(), submissions.resolve()
    if out == subs or subs in out.parents or out in subs.parents:
        raise ValueError(f"the output folder {out} and the submissions {subs} must not contain each other.")


def grade_class(assignment: str, submissions: Path, *, students: Sequence[str] | None = None,
                workers: int | None = None, db_url: str | None = None, out_dir: Path | None = None,
                scheduler: str = "local", root: Path | None = None, grade_fn: GradeFunction | None = None,
                options: dict[str, Any] | None = None, progress: bool = True,
                on_result: Callable[[SubmissionResult], None] | None = None) -> ClassGrading:
    """Grade every submission of ``assignment`` (or only ``students``) into the gradebook.

    Regrading is idempotent: a student's rows are updated in place. Feedback
    pages are written as results arrive; the class report at the end covers
    everyone in the gradebook, not only this run's students.
    """
    from tqdm import tqdm

    from autograder import feedback, report

    root = Path(root or course_root()).resolve()
    out_dir = Path(out_dir or default_out_dir(assignment, root)).resolve()
    _check_out_dir(out_dir, Path(submissions))
    out_dir.mkdir(parents=True, exist_ok=True)
    db_url = db_url or default_url(out_dir)
    found = find_submissions(Path(submissions), assignment)
    if students:
        unknown = sorted(set(students) - set(found))
        if unknown:
            raise KeyError(f"no submission folder for {', '.join(unknown)} in {submissions}")
        found = {s: found[s] for s in students}
    workers = max(1, workers or min(len(found), os.cpu_count() or 1))
    if grade_fn is None:
        # Build the assignment's reference (nbgrader generate + private gradebook) once,
        # here, so that forked workers inherit it instead of each building their own.
        from autograder.submission import reference

        reference(assignment, root)
    # A worker that dies cannot clean up after itself: its scratch folder lives in
    # one the parent removes at the end (workers elsewhere, e.g. Dask, use their own /tmp).
    work_root = Path(tempfile.mkdtemp(prefix=f"course-grade-{assignment}-"))
    jobs = [GradeJob(assignment, student, str(path.resolve()), str(root), grade_fn, dict(options or {}),
                     str(work_root)) for student, path in found.items()]

    def on_error(job: GradeJob, exc: BaseException) -> GradedPayload:
        reason = ("the grading worker crashed while grading this submission "
                  f"({type(exc).__name__}); a TA will look at it.")
        return GradedPayload(grader_error(job, reason).to_json())

    started = time.monotonic()
    results = []
    try:
        with GradebookWriter(db_url, assignment, grade_cells_of(root, assignment)) as writer, \
                tqdm(total=len(jobs), desc=f"grading {assignment}", unit="student", disable=not progress) as bar:
            for job, payload in scheduling.run_jobs(grade_job, jobs, workers=workers, on_error=on_error,
                                                    scheduler=scheduler):
                result = _store_files(SubmissionResult.from_json(payload.result_json), payload, out_dir)
                writer.record(result)
                feedback.write_feedback(result, out_dir / "feedback")
                results.append(result)
                bar.set_postfix_str(f"{job.student}: {result.outcome.value}")
                bar.update()
                if on_result is not None:
                    on_result(result)
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
    report.write_report(db_url, assignment, out_dir / "report",
                        feedback_dir=out_dir / "feedback", scheduler=scheduling.describe(scheduler, workers))
    results.sort(key=lambda r: r.student)
    return ClassGrading(assignment, out_dir, db_url, results, scheduler, time.monotonic() - started)


def summary_table(results: Sequence[SubmissionResult], width: int = 70) -> str:
    """One line per student: score, outcome and the reason (or the first lost points)."""
    lines = [f"{'student':<20}{'score':>11}  {'outcome':<17}reason"]
    for result in sorted(results, key=lambda r: r.student):
        reason = result.reason or "; ".join(t.message for t in result.tests if t.score < t.points)
        reason = " ".join(reason.split())
        lines.append(f"{result.student:<20}{result.score:>5g} / {result.max_score:<3g}  "
                     f"{result.outcome.value:<17}{reason[:width]}")
    return "\n".join(lines)
