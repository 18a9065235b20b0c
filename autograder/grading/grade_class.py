"""``course grade``: grade a whole class, in parallel, into one gradebook.

Pipeline (ordering matters, and is why each step lives where it does):

1. find the submissions: ``DIR/<student>/`` holds that student's files
   (``<NN_topic>.ipynb`` plus what it saved); nbgrader's
   ``DIR/<student>/<NN_topic>/`` layout works too. Intake trusts nothing
   (:func:`scan_submissions`): links are never followed, a dot folder gets a
   zero row with its reason, every skipped entry is listed for the TA (the
   CLI prints it, the class report keeps it);
2. grade each one in a worker (:func:`grade_job`, run by
   :mod:`autograder.grading.scheduler`): the per-submission core
   ``autograder.submission.grade.grade_submission`` runs the notebook in a sandbox
   and judges out of process; the worker ships back the result, its figures
   and the executed notebook as bytes, so workers may sit on other machines,
   and deletes its temporary copy; a worker that raises, dies or runs past the
   job's clock gives *that* student a ``grader_error`` zero;
3. the parent alone writes the gradebook (one transaction per student) and the
   feedback page, then, when the class is done, the class report.

Outputs, all under ``OUT`` (default ``<course>/grading/<NN_topic>/``, never
inside a submission or a sandbox)::

    gradebook.db             SQLite gradebook (unless --db names another database)
    feedback/<student>/      feedback.html + figures, safe to hand to the student
    executed/<student>.ipynb the executed notebook, for TAs only (also in nbgrader's
                             autograded/<student>/<NN_topic>/ tree, for its formgrader),
                             and <student>.html, the page a TA opens (formulas typeset offline)
    report/                  report.html + scores.png (see autograder.pages.report)
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from autograder.paths import course_root
from autograder.grading import autograded, resume, shipping
from autograder.records import manual_grades
from autograder.grading import scheduler as scheduling
from autograder.records.gradebook import GradebookWriter, default_url, grade_cells_of
from autograder.records.gradebook_queries import has_results, load_results
from autograder.grading.jobs import (MAX_FIGURE_BYTES, MAX_FIGURES, MAX_NOTEBOOK_BYTES, GradedPayload,  # noqa: F401
                             GradeFunction, GradeJob, grade_job, grader_error, time_bound)
from autograder.records.results import ItemResult, Outcome, SubmissionResult, printable  # noqa: F401 - re-exported
from autograder.isolation.workfolder import release_mounts_under

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$")
# What operating systems, Jupyter, archivers and version control leave in a class folder:
# ignored without a word (also the staging folder of ``course collect``).
OS_LITTER = frozenset({".ipynb_checkpoints", ".DS_Store", "__MACOSX", "Thumbs.db", "desktop.ini", ".git",
                       ".svn", ".hg", ".Trashes", ".Spotlight-V100", ".fseventsd", "__pycache__",
                       ".course-collect"})
JUDGE_SECRET_ENV = "COURSE_JUDGE_SECRET"
SECRET_WARNING = (f"{JUDGE_SECRET_ENV} is not set: hidden inputs are the course's defaults, the same every "
                  "term; set it to a private per-term value.")

def default_out_dir(assignment: str, root: Path | None = None) -> Path:
    return Path(root or course_root()) / "grading" / assignment


@dataclass(frozen=True)
class Skipped:
    """An entry of a class folder that was not taken as a submission, and why (plain words).

    student: the id that still gets a zero row carrying ``reason`` (None: no row). Only a
    name that can be nobody else's gets one: a real folder's own name, or a dot folder's
    (no student id starts with '.'). A link never does: its name may be a classmate's,
    and a zero under it would overwrite that classmate's grade.
    """

    entry: str
    reason: str
    student: str | None = None
    outcome: Outcome = Outcome.MISSING_NOTEBOOK

    def line(self) -> str:
        """One line for the TA: ``skipped 'NAME': REASON``."""
        return f"skipped '{printable(self.entry)}': {self.reason}"


@dataclass
class Intake:
    """What a class folder holds: the submissions to grade, and what was skipped (with reasons)."""

    found: dict[str, Path]
    skipped: list[Skipped] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # safe id -> the folder's own name

    def renamed_line(self, safe: str) -> str:
        """Says which folder was graded under the safe id ``safe`` (for the report and the student)."""
        return (f"'{printable(self.renamed[safe])}' was graded as student id '{safe}' (folder names may hold "
                "letters, digits and _ . @ - only)")


_LINK_REASON = ("a symbolic link, not a folder: it was not followed and gets no grade; "
                "put the student's own files there (course collect copies them) and regrade.")


def _safe_id(name: str) -> str | None:
    """``name`` with every run of characters a student id may not hold replaced by ``_``, or None."""
    safe = re.sub(r"[^A-Za-z0-9_.@-]+", "_", name).strip("_.-@")[:128]
    return safe if STUDENT_ID.match(safe) else None


def scan_submissions(submissions: Path, assignment: str) -> Intake:
    """Read a class folder without trusting it: ``DIR/<student>/`` (or ``DIR/<student>/<assignment>/``).

    - a real folder named by a valid id is a submission (one without the notebook still
      gets a ``missing_notebook`` zero later, rather than silently no grade);
    - a symbolic link (student folder or nested ``<assignment>/``) is never followed: it
      could point at ``solutions/`` or a classmate's work. A linked student folder is
      skipped with no row; a real folder whose ``<assignment>/`` is a link gets an
      ``invalid_notebook`` zero with the reason;
    - a dot folder (``.alice``) is never a valid id, yet may hold real work: it gets a
      ``missing_notebook`` zero under its own name, which no student id can clash with,
      so that the TA sees it in the gradebook, the CSV and the report, and renames it;
    - a name that is not a usable id (``dana smith``) is graded under a safe id
      (``dana_smith``), recorded in ``renamed`` and told to the student, unless that id is
      taken or empty, when it is skipped with the reason;
    - OS litter (``.DS_Store``, ``.ipynb_checkpoints``, ``__MACOSX``…) is ignored silently.
    """
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise FileNotFoundError(f"no submissions folder at {submissions}")
    intake = Intake({})
    entries = sorted(os.scandir(submissions), key=lambda e: e.name)
    names = {entry.name for entry in entries}
    for entry in entries:
        name = entry.name
        if name in OS_LITTER or name.startswith("._"):
            continue
        if entry.is_symlink():
            intake.skipped.append(Skipped(name, _LINK_REASON))
        elif not entry.is_dir(follow_symlinks=False):
            if name.endswith(".zip"):
                intake.skipped.append(Skipped(name, "an archive, not a folder: unpack the class with "
                                                    "`course collect` and grade the folder it writes."))
            elif name.endswith(".ipynb"):
                intake.skipped.append(Skipped(name, "a notebook outside any student folder: move it to "
                                                    "DIR/<student>/ and regrade."))
        elif name.startswith("."):
            row = name if STUDENT_ID.match(name.lstrip(".")) else None
            intake.skipped.append(Skipped(name, "the folder name starts with '.', so it is no student id: "
                                                "rename it to the student's id and regrade.", row))
        elif not STUDENT_ID.match(name):
            safe = _safe_id(name)
            if safe is None or safe in names or safe in intake.renamed:
                intake.skipped.append(Skipped(name, "not a usable student id (letters, digits, _ . @ - only): "
                                                    "rename the folder to the student's id and regrade."))
            else:
                intake.renamed[safe] = name
                nested = Path(entry.path) / assignment
                intake.found[safe] = nested if nested.is_dir() and not nested.is_symlink() else Path(entry.path)
        elif name in ("submitted", "autograded", "feedback") and any(
                (Path(entry.path) / student / assignment).is_dir() for student in os.listdir(entry.path)):
            intake.skipped.append(Skipped(name, f"this is nbgrader's course root: grade its {name}/ folder "
                                                f"(course grade {assignment} --submissions DIR/{name})."))
        elif (Path(entry.path) / assignment).is_symlink():
            intake.skipped.append(Skipped(f"{name}/{assignment}", _LINK_REASON, name, Outcome.INVALID_NOTEBOOK))
        else:
            nested = Path(entry.path) / assignment
            intake.found[name] = nested if nested.is_dir() else Path(entry.path)
    return intake


def find_submissions(submissions: Path, assignment: str) -> dict[str, Path]:
    """Map student id -> the folder holding that student's files (see :func:`scan_submissions`).

    Only the submissions to grade; what was skipped, and why, is in ``scan_submissions``.
    """
    return scan_submissions(submissions, assignment).found


def intake_result(skipped: Skipped, assignment: str, cells: Sequence[Any]) -> SubmissionResult:
    """The zero row of a skipped entry that still gets one (``skipped.student`` set)."""
    from course_utils.runtime import profile

    reason = f"'{printable(skipped.entry)}' was not graded: {skipped.reason}"
    tests = [ItemResult(c.grade_id, c.points, 0.0, f"No points: {reason}",
                        kind="manual" if getattr(c, "cell_type", "code") == "markdown" else "function")
             for c in cells]
    return SubmissionResult(student=str(skipped.student), assignment=assignment, outcome=skipped.outcome,
                            reason=reason, tests=tests, profile=profile())


def judge_secret_warning() -> str | None:
    """The warning for the TA when hidden inputs are the course's defaults (no per-term secret)."""
    return None if os.environ.get(JUDGE_SECRET_ENV, "").strip() else SECRET_WARNING


def evaluation_set_warning(assignment: str) -> str | None:
    """The warning for the TA when ``assignment``'s models are judged on a public test split."""
    from autograder.checks._evaluation_set import public_split_warning

    try:
        module = importlib.import_module(f"autograder.checks.{assignment}")
    except ModuleNotFoundError:
        return None
    return public_split_warning(list(getattr(module, "EVALUATION_DATASETS", ())),
                                list(getattr(module, "PUBLIC_EVALUATION_DATASETS", ())))


def ship_job(job: GradeJob, *, installed_root: Path, code_version: str) -> GradeJob:
    """The job as a Dask worker gets it: its submission packed in (see autograder.grading.jobs.ship)."""
    from autograder.grading import jobs

    return jobs.ship(job, installed_root, code_version)


def _oversize(found: dict[str, Path]) -> list[Skipped]:
    """The submissions over the size a grading job carries, each with its reason (no row is lost)."""
    limit = shipping.max_bytes()
    refused = []
    for student, path in found.items():
        try:
            shipping.check_size(path, limit)
        except shipping.SubmissionTooLarge as exc:
            refused.append(Skipped(student, str(exc), student, Outcome.INVALID_NOTEBOOK))
    return refused


@dataclass
class ClassGrading:
    """What ``grade_class`` did: every result, and where the outputs are."""

    assignment: str
    out_dir: Path
    db_url: str
    results: list[SubmissionResult]
    scheduler: str
    seconds: float
    skipped: list[Skipped] = field(default_factory=list)  # intake: entries not graded, with reasons
    unchanged: list[str] = field(default_factory=list)    # kept from an earlier run (autograder.grading.resume)

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
        for old in [*figure_dir.glob("figure_*.png"), *figure_dir.glob("cell*_*.png")]:
            old.unlink()
    figures = []
    for name, data in payload.figures.items():
        figure_dir.mkdir(parents=True, exist_ok=True)
        (figure_dir / name).write_bytes(data)
        figures.append(str(figure_dir / name))
    executed = None
    if payload.executed_notebook is not None:  # executed/ and nbgrader's autograded/ tree
        executed = str(autograded.store(out_dir, result.student, result.assignment, payload.executed_notebook))
    return replace(result, figures=figures, executed_notebook=executed)


def _check_out_dir(out_dir: Path, submissions: Path) -> None:
    out, subs = out_dir.resolve(), submissions.resolve()
    if out == subs or subs in out.parents or out in subs.parents:
        raise ValueError(f"the output folder {out} and the submissions {subs} must not contain each other.")


def grade_class(assignment: str, submissions: Path, *, students: Sequence[str] | None = None,
                workers: int | None = None, db_url: str | None = None, out_dir: Path | None = None,
                scheduler: str = "local", root: Path | None = None, grade_fn: GradeFunction | None = None,
                options: dict[str, Any] | None = None, progress: bool = True, force: bool = False,
                on_result: Callable[[SubmissionResult], None] | None = None, job_seconds: float | None = None
                ) -> ClassGrading:
    """Grade every submission of ``assignment`` (or only ``students``) into the gradebook.

    Regrading is idempotent: a student's rows are updated in place. A result already in the
    gradebook is kept when its submission, profile and grading code are unchanged
    (``autograder.grading.resume``), unless ``force`` or the student is named in ``students``. Feedback
    pages are written as results arrive; the class report at the end covers everyone in the
    gradebook, not only this run's students. ``job_seconds``: each job's clock (see above;
    default :func:`autograder.grading.jobs.time_bound`).
    """
    from course_utils.runtime import profile as active_profile
    from tqdm import tqdm

    from autograder.pages import feedback, integrity, report

    root = Path(root or course_root()).resolve()
    out_dir = Path(out_dir or default_out_dir(assignment, root)).resolve()
    _check_out_dir(out_dir, Path(submissions))
    out_dir.mkdir(parents=True, exist_ok=True)
    db_url = db_url or default_url(out_dir)
    intake = scan_submissions(Path(submissions), assignment)
    found = intake.found
    rows = {s.student: s for s in intake.skipped if s.student}
    if students:
        unknown = sorted(set(students) - set(found) - set(rows))
        if unknown:
            raise KeyError(f"no submission folder for {', '.join(unknown)} in {submissions}")
        found = {s: found[s] for s in students if s in found}
        rows = {s: rows[s] for s in students if s in rows}
    workers = max(1, workers or min(len(found), os.cpu_count() or 1))
    if grade_fn is None:
        # Build the assignment's reference (nbgrader generate + private gradebook) once,
        # here, so that forked workers inherit it instead of each building their own.
        from autograder.submission.grade import reference

        reference(assignment, root)
    # A worker that dies cannot clean up after itself: its scratch folder lives in
    # one the parent removes at the end (workers elsewhere, e.g. Dask, use their own /tmp).
    version = resume.grading_code_version(root)
    # One size bound for every scheduler (a Dask job carries the folder as bytes), so that the
    # local pool and a cluster give the same grades: a folder over it gets a zero with the reason.
    oversize = _oversize(found)
    for skipped in oversize:
        rows[skipped.entry] = skipped
        del found[skipped.entry]
    fingerprints = {student: resume.fingerprint(path) for student, path in found.items()}
    kept = {} if force or students or not has_results(db_url) else resume.unchanged(
        load_results(db_url, assignment), fingerprints, active_profile(), version)
    work_root = Path(tempfile.mkdtemp(prefix=f"course-grade-{assignment}-"))
    jobs = [GradeJob(assignment, student, str(path.resolve()), str(root), grade_fn, dict(options or {}),
                     str(work_root)) for student, path in found.items() if student not in kept]
    # Dask workers may not see these folders: each job is packed just before it is sent (few are in flight).
    prepare = functools.partial(ship_job, installed_root=course_root(), code_version=version)

    def on_error(job: GradeJob, exc: BaseException) -> GradedPayload:
        if isinstance(exc, scheduling.JobTimeout):
            reason = f"the grader stopped: {exc} per submission; not your fault, a TA will look at it."
        elif isinstance(exc, (shipping.SubmissionTooLarge, OSError)):
            reason = f"the submission could not be sent to a grading worker: {exc}"
        else:
            reason = ("the grading worker crashed while grading this submission "
                      f"({type(exc).__name__}); a TA will look at it.")
        return GradedPayload(grader_error(job, reason).to_json())

    started = time.monotonic()
    results = []
    try:
        cells = grade_cells_of(root, assignment)
        with GradebookWriter(db_url, assignment, cells, manual_grades.solution_cells_of(root, assignment)) as writer, \
                tqdm(total=len(jobs), desc=f"grading {assignment}", unit="student", disable=not progress) as bar:
            for skipped in rows.values():   # intake zeros: recorded with their reason, never run
                result = intake_result(skipped, assignment, cells)
                writer.record(result)
                feedback.write_feedback(result, out_dir / "feedback", root)
                results.append(result)
                if on_result is not None:
                    on_result(result)
            results += kept.values()  # unchanged since they were graded: their rows stay as they are
            for job, payload in scheduling.run_jobs(grade_job, jobs, workers=workers, on_error=on_error,
                                                    scheduler=scheduler, prepare=prepare,
                                                    job_seconds=job_seconds or time_bound(options)):
                result = _store_files(SubmissionResult.from_json(payload.result_json), payload, out_dir)
                result.submission_hash = f"{version}:{fingerprints[job.student]}"
                if result.student in intake.renamed:
                    result.notes.insert(0, f"Your folder {intake.renamed_line(result.student)}.")
                writer.record(result)
                feedback.write_feedback(result, out_dir / "feedback", root)
                results.append(result)
                bar.set_postfix_str(f"{job.student}: {result.outcome.value}")
                bar.update()
                if on_result is not None:
                    on_result(result)
    finally:
        release_mounts_under(work_root)  # a worker that died may have left its tmpfs work folder
        shutil.rmtree(work_root, ignore_errors=True)
    intake.skipped += oversize
    warnings = ([w for w in [judge_secret_warning(), evaluation_set_warning(assignment)] if w]
                + [s.line() for s in intake.skipped]
                + [intake.renamed_line(safe) for safe in sorted(intake.renamed)])
    warnings += integrity.write_for_class(assignment, intake.found, out_dir / "report", root)  # TA-only signals
    report.write_report(db_url, assignment, out_dir / "report", feedback_dir=out_dir / "feedback",
                        scheduler=scheduling.describe(scheduler, workers), warnings=warnings)
    results.sort(key=lambda r: r.student)
    return ClassGrading(assignment, out_dir, db_url, results, scheduler, time.monotonic() - started,
                        intake.skipped, sorted(kept))


def summary_table(results: Sequence[SubmissionResult], width: int = 70) -> str:
    """One line per student: score, outcome and the reason (or the first lost points)."""
    lines = [f"{'student':<20}{'score':>11}  {'outcome':<17}reason"]
    for result in sorted(results, key=lambda r: r.student):
        reason = result.reason or "; ".join(t.message for t in result.tests if t.score < t.points)
        reason = " ".join(reason.split())
        lines.append(f"{result.student:<20}{result.score:>5g} / {result.max_score:<3g}  "
                     f"{result.outcome.value:<17}{reason[:width]}")
    return "\n".join(lines)
