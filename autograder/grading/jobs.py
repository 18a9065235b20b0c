"""One grading job: what a worker is sent, what it does, and what it sends back (plain data).

Why a module of its own: the same job runs in a local process pool (the submission is read in
place, at its path) and on a Dask worker on another machine (no shared file system: the job
carries the folder as bytes, :mod:`autograder.grading.shipping`). :func:`grade_job` grades both the same
way, in a private temporary folder, and returns a :class:`GradedPayload` (result JSON, figures and
executed notebook as bytes), so the parent alone writes the gradebook and the feedback.

A shipped job also carries what the parent's grades depend on and a worker could hold otherwise:
the profile and the term's judge secret (applied to the worker's environment while it grades,
so every worker judges on the TA's hidden cases) and the parent's grading code version (a worker
running other checks gives a grader error saying so, never a grade from other code).

The worker itself (the process that runs nbclient and decodes the harness's results, outside any
student's cgroup) is bounded too: :func:`grade_job` run in a worker process of its own (a pool's,
a Dask worker's) sets that process's ``RLIMIT_DATA`` soft limit to :data:`WORKER_MEMORY_BYTES`, so
whatever a submission makes the grader hold ends in a ``MemoryError`` (that student's grader
error, the worker free for the next job) rather than the machine's memory. Data, not address
space: the heap and private writable mappings, what grows. The sandboxed runs it starts drop the
soft limit again (:mod:`autograder.isolation.sandbox_jail`): their bound is their own cgroup's.

Served artifact checks (weeks 2, 5, 6: :mod:`autograder.verdicts.served`) measure the students'
models' answers here, so the worker loads TensorFlow, the course's classifier and the training
images once and keeps them: week 6's two generators in the full profile peaked at 1.4 GiB of data
and settled at 0.6 GiB, with no growth over three submissions (2-core CPU, 2026-12-07); a worker
of the other weeks holds about 130 MiB. TensorFlow's thread pools grow with the machine's cores,
and every thread's stack counts as data (64 threads each way: 1.0 GiB more), so a worker caps its
own TensorFlow at :data:`WORKER_TF_THREADS` threads each way and keeps it off the GPU (the
classifier needs neither; the sandboxed runs, which build their own environment, still get the
GPU): :func:`settle_worker`.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import resource
import shutil
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from autograder.paths import course_root
from autograder.records.results import Outcome, SubmissionResult

MAX_FIGURES = 24
FIGURE_NAME = re.compile(r"cell\d{3}_\d+\.png")  # autograder.submission.feedback_outputs' names: the cell it was drawn in
MAX_FIGURE_BYTES = 4 * 2**20
MAX_NOTEBOOK_BYTES = 32 * 2**20
NOTEBOOK_NOT_KEPT = (f"The executed notebook was not kept: it was over the {MAX_NOTEBOOK_BYTES // 2**20} MiB the "
                     "grader keeps, or not a plain file. The grade does not depend on it; there is no executed "
                     "copy to look at.")
# What the grades depend on, read from os.environ (COURSE_EVAL_DIR: the same path on every worker).
SHIPPED_ENV = ("COURSE_PROFILE", "COURSE_JUDGE_SECRET", "COURSE_EVAL_DIR")

WORKER_MEMORY_BYTES = 3 * 2**30  # a grading worker's data (RLIMIT_DATA): twice the served checks' measured peak
WORKER_TF_THREADS = "2"  # TensorFlow's intra- and inter-op threads in a grading worker (module doc)
JOB_MARGIN_SECONDS = 300.0  # restoring, copying, feedback files: beyond the sandboxed runs' own bounds
GradeFunction = Callable[..., SubmissionResult]
_environment_lock = threading.Lock()  # one shipped job at a time per worker process changes os.environ


@dataclass(frozen=True)
class GradeJob:
    """What a worker needs to grade one submission (plain, picklable data).

    submission_dir: the folder, read in place (local runs); ignored when ``archive`` is set.
    course_root: the parent's course; None on a shipped job whose parent grades with the installed
        course, so that each worker uses its own installed copy wherever it lives.
    archive / checksum: the folder packed by :func:`autograder.grading.shipping.pack` (shipped jobs).
    env: values of :data:`SHIPPED_ENV` the parent grades with (shipped jobs).
    code_version: the parent's :func:`autograder.grading.resume.grading_code_version` (shipped jobs).
    """

    assignment: str
    student: str
    submission_dir: str
    course_root: str | None
    grade_fn: GradeFunction | None = None   # None: autograder.submission.grade.grade_submission
    options: dict[str, Any] = field(default_factory=dict)  # e.g. {"limits": Limits(...)}
    work_root: str | None = None            # parent's scratch folder (local runs), removed by the parent
    archive: bytes | None = None
    checksum: str = ""
    env: dict[str, str] | None = None
    code_version: str = ""


@dataclass
class GradedPayload:
    """What comes back from a worker: the result and the files feedback needs, as bytes."""

    result_json: str
    figures: dict[str, bytes] = field(default_factory=dict)
    executed_notebook: bytes | None = None


def ship(job: GradeJob, installed_root: Path, code_version: str) -> GradeJob:
    """The job with its submission packed into it, for a worker with no view of this machine's files.

    Raises :class:`autograder.grading.shipping.SubmissionTooLarge` (its message is the student's reason).
    """
    from autograder.grading import shipping

    packed = shipping.pack(Path(job.submission_dir))
    root = None if Path(job.course_root or installed_root).resolve() == Path(installed_root).resolve() \
        else job.course_root
    env = {name: os.environ.get(name, "") for name in SHIPPED_ENV}
    return replace(job, course_root=root, work_root=None, archive=packed.data, checksum=packed.checksum,
                   env=env, code_version=code_version)


def time_bound(options: dict[str, Any] | None, artifact_runs: int = 8) -> float:
    """How long grading one submission may take, all told, before the scheduler gives up on it:
    the notebook's wall clock, ``artifact_runs`` sandboxed checker runs (the function harness
    and each artifact) at their own bound, and :data:`JOB_MARGIN_SECONDS`. Every step already
    has its own clock; this one catches the grader's own hangs (e.g. decoding a huge result).

    Eight runs: the worst honest-or-not case is week 5's, the function harness (one run), its three
    served files in one model process (three runs' time) and, when that process ran out of time,
    each file again alone (three more, :mod:`autograder.verdicts.served_sandbox`), seven in all;
    a submission whose every model hangs must end with its verdicts, not as a grader error."""
    from autograder.isolation.sandbox import Limits

    limits = (options or {}).get("limits") or Limits()
    return limits.wall_seconds + artifact_runs * limits.artifact_seconds + JOB_MARGIN_SECONDS


def _default_grade_fn() -> GradeFunction:
    from autograder.submission.grade import grade_submission

    return grade_submission


def grader_error(job: GradeJob, reason: str, started: float | None = None) -> SubmissionResult:
    """A zero that is our fault, with the reason; never a pass."""
    return SubmissionResult(student=job.student, assignment=job.assignment, outcome=Outcome.GRADER_ERROR,
                            reason=reason, seconds=time.monotonic() - started if started else 0.0)


@contextmanager
def _shipped_environment(env: dict[str, str] | None) -> Iterator[None]:
    """Apply the parent's profile and judge secret while one shipped job grades, then restore."""
    if env is None:
        yield
        return
    with _environment_lock:
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update({name: value for name, value in env.items()})
        for name, value in env.items():
            if not value:
                os.environ.pop(name, None)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _course_root(job: GradeJob) -> Path:
    return Path(job.course_root) if job.course_root else course_root()


def bound_worker_memory(max_bytes: int = WORKER_MEMORY_BYTES) -> None:
    """Set this process's ``RLIMIT_DATA`` soft limit to ``max_bytes`` (never above its hard limit)."""
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (max_bytes if hard == resource.RLIM_INFINITY
                                              else min(max_bytes, hard), hard))


def settle_worker() -> None:
    """A grading worker's own bounds: its data bound, and its TensorFlow capped to
    :data:`WORKER_TF_THREADS` threads each way with no GPU (the module doc). The variables act
    where TensorFlow has not started yet in this process, which is the case in a pool's or a Dask
    worker's process until its first served check."""
    bound_worker_memory()
    os.environ["TF_NUM_INTRAOP_THREADS"] = os.environ["TF_NUM_INTEROP_THREADS"] = WORKER_TF_THREADS
    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"


def grade_job(job: GradeJob) -> GradedPayload:
    """Worker side: grade one submission in a private temporary folder, return plain data.

    In a worker process of its own, under :func:`settle_worker`'s bounds (the module doc); called
    in the TA's own process (tests, tools), it leaves that process's limits alone.
    """
    if multiprocessing.parent_process() is not None:
        settle_worker()
    grade_fn = job.grade_fn or _default_grade_fn()
    local_root = job.work_root if job.work_root and Path(job.work_root).is_dir() else None
    scratch = Path(tempfile.mkdtemp(prefix=f"course-grade-{job.student}-", dir=local_root))
    work_dir = scratch / "work"
    work_dir.mkdir()
    started = time.monotonic()
    try:
        with _shipped_environment(job.env):
            result = _grade(job, grade_fn, scratch, work_dir, started)
        notebook = _read_small(result.executed_notebook, MAX_NOTEBOOK_BYTES)
        if result.executed_notebook and notebook is None:
            result.notes.append(NOTEBOOK_NOT_KEPT)
        return GradedPayload(result.to_json(), _read_figures(result.figures), notebook)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _grade(job: GradeJob, grade_fn: GradeFunction, scratch: Path, work_dir: Path, started: float
           ) -> SubmissionResult:
    from autograder.grading import resume, shipping

    root = _course_root(job)
    try:
        if job.code_version and resume.grading_code_version(root) != job.code_version:
            return grader_error(job, f"the grading worker on {socket.gethostname()} runs other grading code "
                                     f"than the TA's (version {resume.grading_code_version(root)}, the TA's "
                                     f"{job.code_version}): update that worker's course copy and regrade.", started)
        submission = Path(job.submission_dir)
        if job.archive is not None:
            submission = shipping.unpack(job.archive, scratch / "submission", job.checksum)
        result = grade_fn(job.assignment, submission, student=job.student, course_root=root,
                          work_dir=work_dir, **job.options)
    except MemoryError:
        return grader_error(job, f"grading this submission needed more than the grading worker's own bound "
                                 f"({WORKER_MEMORY_BYTES / 2**30:g} GiB); a TA will look at it.", started)
    except Exception as exc:  # noqa: BLE001 - the grader's fault: that student gets a clear zero
        return grader_error(job, f"the grader failed on this submission "
                                 f"({type(exc).__name__}: {str(exc)[:300]}); a TA will look at it.", started)
    if (result.student, result.assignment) != (job.student, job.assignment):
        return grader_error(job, "the grader returned a result for another submission.", started)
    return result


def _read_small(path: str | None, limit: int) -> bytes | None:
    if not path:
        return None
    file = Path(path)
    if not file.is_file() or file.is_symlink() or file.stat().st_size > limit:
        return None
    return file.read_bytes()


def _read_figures(paths: Sequence[str]) -> dict[str, bytes]:
    """The PNG figures by file name: ``cell<NNN>_<k>.png`` as the grader wrote it (the feedback page
    captions each by the cell it was drawn in), any other name as ``figure_<NN>.png``."""
    figures = {}
    for index, path in enumerate(paths[:MAX_FIGURES]):
        data = _read_small(path, MAX_FIGURE_BYTES)
        if data is not None and data.startswith(b"\x89PNG\r\n\x1a\n"):
            name = Path(path).name
            figures[name if FIGURE_NAME.fullmatch(name) else f"figure_{index + 1:02d}.png"] = data
    return figures
