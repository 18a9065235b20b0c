"""Grade one student's submission of one assignment: :func:`grade_submission`.

The steps, and who is trusted in each:

1. **Restore** (grader process): the submitted notebook is read as untrusted
   JSON and sanitised with nbgrader's own autograde preprocessors
   (``ClearOutput``, ``DeduplicateIds``, ``OverwriteKernelspec``,
   ``OverwriteCells(add_missing_cells=True)``, ``CheckCellMetadata``) against a
   private gradebook that holds the instructor's source cells, hidden tests
   included (made by nbgrader's ``GenerateAssignment`` with ``SaveCells``).
   nbgrader's semantics are kept: an edited locked cell or grade cell is put
   back as the instructor wrote it, a deleted grade cell is added back, and a
   changed point value is reset. Because points come only from the hidden
   checks below, an edited test cell gains nothing, so such edits do not zero
   the submission; they are listed in :attr:`SubmissionResult.notes`.
2. **Prepare** a fresh folder with only this student's plain files (links,
   ``.judge``, and copies of ``course_utils``/``autograder`` that would shadow
   the real ones are left out) plus the restored notebook, and write the hidden
   inputs of every function check to ``.judge/inputs`` (read-only inside).
3. **Run** the notebook inside :class:`autograder.sandbox.Sandbox` with
   ``autograder/sandbox_runner.py`` (nbclient, every cell runs). The sandbox sees
   the student folder, ``course_utils`` and the datasets: never the repository,
   ``solutions/``, ``autograder/`` or the gradebook.
4. **Judge** (grader process, and a fresh sandboxed process per artifact):
   every grade cell ``test_<id>`` earns ``points × verdict.score_fraction`` of
   its hidden check ``<id>``. In-kernel pass/fail never gives points; a test
   cell whose visible asserts fail never hands the function over, so it earns
   nothing. Anything the sandbox wrote is read as untrusted data (no links,
   size caps, ``allow_pickle=False``, JSON only).

Zero outcomes (all items score 0, the reason in plain words): TIMEOUT (wall
clock, a cell, or CPU time), OUTPUT_LIMIT (the folder grew past the disk
bound; mere chatter is cut and noted instead), OUT_OF_MEMORY (``MemoryError``/TF
``ResourceExhaustedError`` in a cell, or a kernel that died of it),
KERNEL_DIED (never a pass), MISSING_NOTEBOOK, INVALID_NOTEBOOK, TAMPERING (the
hidden inputs or the executed notebook were altered), GRADER_ERROR (ours).
"""

from __future__ import annotations

import atexit
import base64
import binascii
import copy
import hashlib
import json
import logging
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
import traceback
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4.nbbase import random_cell_id

import course_utils
from autograder import judging, sandbox_runner
from autograder.artifacts import UntrustedFileError, copy_untrusted, judge_artifact_isolated
from autograder.results import ItemResult, Outcome, SubmissionResult
from autograder.sandbox import Limits, Sandbox

REPO_ROOT = Path(__file__).resolve().parents[1]
EXECUTED_NAME = ".executed.ipynb"
JUDGE_DIR = ".judge"
# Top-level names never copied from a submission: the judge's folder (fresh each
# run) and packages that would shadow the course's own inside the kernel.
_SKIP_TOP = {JUDGE_DIR, "course_utils", "autograder", EXECUTED_NAME}
_SKIP_ANYWHERE = {"__pycache__", ".ipynb_checkpoints"}
_MEMORY_ERRORS = {"MemoryError", "ResourceExhaustedError", "OutOfMemoryError"}
# In the kernel's stderr when it died for lack of memory; under RLIMIT_AS a thread
# stack cannot be mapped either, so TensorFlow aborts on pthread_create (EAGAIN).
_MEMORY_HINTS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "Resource exhausted",
                 "OOM when allocating", "pthread_create() failed")
_MAX_FIGURES, _MAX_FIGURE_BYTES = 40, 5 * 1024**2
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GradeItem:
    """A grade cell of the source notebook and the hidden check that scores it."""

    grade_id: str
    points: float
    check: judging.Check | None  # None: a manually graded answer


@dataclass(frozen=True)
class Reference:
    """What the grader knows about an assignment, built once per process from ``solutions/``."""

    assignment: str
    notebook_id: str
    db_url: str                      # private gradebook: source cells with hidden tests
    released: NotebookNode           # the student version, as nbgrader generates it
    source: NotebookNode             # the instructor's notebook (solutions, hidden tests)
    items: tuple[GradeItem, ...]


class AssignmentConfigError(RuntimeError):
    """The assignment itself is misconfigured (the instructor's problem, not the student's)."""


_references: dict[tuple, Reference] = {}
_references_lock = threading.Lock()


def _quiet_log() -> logging.Logger:
    log = logging.getLogger("autograder.submission.nbgrader")
    log.setLevel(logging.ERROR)
    return log


def _items(assignment: str, source: NotebookNode) -> tuple[GradeItem, ...]:
    checks = {c.id: c for c in judging.load_checks(assignment)}
    items = []
    for cell in source.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade"):
            continue
        grade_id, points = meta["grade_id"], float(meta.get("points", 0))
        if meta.get("solution"):
            items.append(GradeItem(grade_id, points, None))
            continue
        check_id = grade_id.removeprefix("test_")
        check = checks.get(check_id)
        if not grade_id.startswith("test_") or check is None:
            raise AssignmentConfigError(f"grade cell {grade_id} of {assignment} has no hidden check "
                                        f"{check_id!r} (autograder/checks/{assignment}.py).")
        if float(check.points) != points:
            raise AssignmentConfigError(f"grade cell {grade_id} is worth {points} points but its "
                                        f"hidden check {check_id} is worth {check.points}.")
        items.append(GradeItem(grade_id, points, check))
    return tuple(items)


def reference(assignment: str, course_root: Path = REPO_ROOT) -> Reference:
    """The assignment's private gradebook, release and graded items (cached per source version).

    Building it runs nbgrader's GenerateAssignment (seconds); call it once in a
    parent process before forking workers and they all share it.
    """
    from nbgrader.api import Gradebook

    from autograder import release

    course_root = Path(course_root).resolve()
    source_path = course_root / "solutions" / assignment / f"{assignment}.ipynb"
    if not source_path.is_file():
        raise AssignmentConfigError(f"no source notebook {source_path}.")
    key = (str(course_root), assignment, source_path.stat().st_mtime_ns,
           os.environ.get(judging.CHECKS_PATH_ENV, ""))
    with _references_lock:
        if key in _references:
            return _references[key]
        tmp = Path(tempfile.mkdtemp(prefix=f"course-reference-{assignment}-"))
        atexit.register(shutil.rmtree, tmp, True)
        db_url = f"sqlite:///{tmp / 'gradebook.db'}"
        released_dir = release.generate(assignment, tmp / "release", root=course_root, db_url=db_url)
        with Gradebook(db_url):
            pass  # creates nbgrader's default course row now, so later readers never write
        released = nbformat.read(str(released_dir / f"{assignment}.ipynb"), as_version=4)
        source = nbformat.read(str(source_path), as_version=4)
        ref = Reference(assignment, assignment, db_url, released, source, _items(assignment, source))
        _references[key] = ref
        return ref


# ------------------------------------------------------------------ restore

def _grade_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _by_grade_id(nb: NotebookNode) -> dict[str, NotebookNode]:
    cells: dict[str, NotebookNode] = {}
    for cell in nb.cells:
        grade_id = _grade_meta(cell).get("grade_id")
        if grade_id and grade_id not in cells:
            cells[grade_id] = cell
    return cells


def _edit_notes(submitted: NotebookNode, ref: Reference) -> list[str]:
    """Plain-words list of locked/grade cells the student changed or deleted (before restoring).

    A cell counts as unchanged when it matches the release or the instructor's
    source (a submitted solution notebook still has its hidden tests).
    """
    by_id, originals = _by_grade_id(submitted), _by_grade_id(ref.source)
    notes = []
    for cell in ref.released.cells:
        meta = _grade_meta(cell)
        if not (meta.get("locked") or meta.get("grade")) or meta.get("solution"):
            continue
        grade_id = meta["grade_id"]
        mine = by_id.get(grade_id)
        if mine is None:
            if meta.get("grade"):
                notes.append(f"Cell {grade_id} was missing; the grader put the original back.")
            continue
        accepted = {cell.source.strip(), originals.get(grade_id, cell).source.strip()}
        if str(mine.get("source", "")).strip() not in accepted:
            notes.append(f"Cell {grade_id} is read-only but was edited; the grader restored the original.")
        if meta.get("grade") and str(_grade_meta(mine).get("points")) != str(meta.get("points")):
            notes.append(f"The points of {grade_id} were changed; the original value was restored.")
    return notes


def restore(nb: NotebookNode, ref: Reference) -> tuple[NotebookNode, list[str]]:
    """nbgrader's autograde sanitising: put the instructor's cells and hidden tests back.

    Returns the restored notebook and notes on what had to be restored.
    Raises nbgrader's ``ValidationError`` when the nbgrader metadata is corrupt.
    """
    from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds,
                                        OverwriteCells, OverwriteKernelspec)

    notes = _edit_notes(nb, ref)
    resources = {"nbgrader": {"notebook": ref.notebook_id, "assignment": ref.assignment,
                              "db_url": ref.db_url}}
    log = _quiet_log()
    steps = [ClearOutput(log=log), DeduplicateIds(log=log), OverwriteKernelspec(log=log),
             OverwriteCells(log=log, add_missing_cells=True), CheckCellMetadata(log=log)]
    nb = copy.deepcopy(nb)
    for step in steps:
        nb, resources = step.preprocess(nb, resources)
    for cell in nb.cells:  # cells nbgrader re-added have no id yet
        cell.setdefault("id", random_cell_id())
    return nb, notes


# ------------------------------------------------------------------ folder

def _copy_submission(source: Path, target: Path, limits: Limits, notebook_name: str) -> list[str]:
    """Copy the student's plain files (no links, no specials) up to ``limits.submission_bytes``."""
    notes: list[str] = []
    budget = limits.submission_bytes
    target.mkdir(parents=True)

    def walk(src: Path, dst: Path, top: bool) -> None:
        nonlocal budget
        for entry in sorted(os.scandir(src), key=lambda e: e.name):
            name = entry.name
            if (top and name in _SKIP_TOP) or name in _SKIP_ANYWHERE or (top and name == notebook_name):
                if top and name in ("course_utils", "autograder"):
                    notes.append(f"The folder's own copy of {name}/ was ignored; the course's version is used.")
                continue
            if entry.is_symlink():
                notes.append(f"{os.path.relpath(entry.path, source)} is a link and was not copied.")
            elif entry.is_dir(follow_symlinks=False):
                (dst / name).mkdir()
                walk(Path(entry.path), dst / name, False)
            elif entry.is_file(follow_symlinks=False):
                size = entry.stat(follow_symlinks=False).st_size
                if size > budget:
                    notes.append(f"{os.path.relpath(entry.path, source)} was not copied: the submission "
                                 f"is over the {limits.submission_bytes / 2**20:.0f} MiB limit.")
                    continue
                budget -= size
                shutil.copyfile(entry.path, dst / name, follow_symlinks=False)

    walk(source, target, True)
    return notes


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.npz"))}


# ------------------------------------------------------------------ run

@dataclass(frozen=True)
class RunVerdict:
    outcome: Outcome
    reason: str = ""


def _execute(sandbox_dir: Path, notebook_name: str, profile: str, limits: Limits):
    """Run the notebook in the sandbox; return (SandboxRun, runner report or None)."""
    from course_utils import data

    box = Sandbox(sandbox_dir)
    utils_dir = box.bind_readonly(Path(course_utils.__file__).parent, "/opt/course/course_utils")
    runner = box.bind_readonly(Path(sandbox_runner.__file__), "/opt/grader/sandbox_runner.py")
    box.bind_readonly(sandbox_dir / JUDGE_DIR / "inputs", f"{box.work}/{JUDGE_DIR}/inputs")
    env = {"PYTHONPATH": str(Path(utils_dir).parent), "NBGRADER_EXECUTION": "autograde",
           "COURSE_JUDGE_DIR": f"{box.work}/{JUDGE_DIR}", "COURSE_PROFILE": profile,
           "COURSE_DATA_DOWNLOAD": "0", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONDONTWRITEBYTECODE": "1"}
    if data.data_dir().is_dir():
        env["COURSE_DATA_DIR"] = box.bind_readonly(data.data_dir(), "/opt/course-data")
    argv = [sys.executable, runner, f"{box.work}/{notebook_name}", f"{box.work}/{EXECUTED_NAME}",
            str(int(limits.cell_seconds)), str(int(limits.output_bytes))]
    run = box.run(argv, env=env, limits=limits, wall_seconds=limits.wall_seconds,
                  memory_bytes=limits.memory_bytes)
    report = None
    for line in reversed(run.stdout.splitlines()):
        if line.startswith(sandbox_runner.REPORT_MARKER):
            try:
                report = json.loads(line[len(sandbox_runner.REPORT_MARKER):])
            except ValueError:
                report = None
            report = report if isinstance(report, dict) else None
            break
    return run, report


def _errors(nb: NotebookNode) -> list[tuple[int, str | None, str, str]]:
    """``(cell index, grade_id, ename, evalue)`` of every error output."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) or []:
            if output.get("output_type") == "error":
                found.append((index, _grade_meta(cell).get("grade_id"),
                              str(output.get("ename", ""))[:200], str(output.get("evalue", ""))[:500]))
    return found


def _classify(run, report: dict | None, executed: NotebookNode | None, limits: Limits) -> RunVerdict:
    """Decide the outcome of the run from what the grader saw (report data only takes points away)."""
    memory_hint = any(h in run.stderr for h in _MEMORY_HINTS)
    if run.disk_exceeded:
        return RunVerdict(Outcome.OUTPUT_LIMIT, f"The notebook wrote more than "
                                                f"{limits.disk_bytes / 2**20:.0f} MiB or {limits.disk_entries} "
                                                "files into its folder; the run was stopped.")
    if run.timed_out:
        return RunVerdict(Outcome.TIMEOUT, f"The notebook did not finish within the "
                                           f"{limits.wall_seconds:.0f} s allowed for the whole run.")
    if run.returncode is not None and run.returncode in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
        return RunVerdict(Outcome.TIMEOUT, f"The notebook used more than {limits.cpu_limit()} s of CPU time.")
    status = (report or {}).get("status")
    kernel_exit = (report or {}).get("kernel_exit")
    cell = (report or {}).get("cell")
    where = f" (cell {cell})" if isinstance(cell, int) else ""
    if status == "cell_timeout":
        return RunVerdict(Outcome.TIMEOUT, f"A cell{where} ran longer than the {limits.cell_seconds} s "
                                           "allowed per cell (an endless loop, or training at grading time?).")
    if kernel_exit == -signal.SIGXCPU:
        return RunVerdict(Outcome.TIMEOUT, f"The kernel used more than {limits.cpu_limit()} s of CPU time.")
    if executed is not None and any(ename in _MEMORY_ERRORS for _, _, ename, _ in _errors(executed)):
        return RunVerdict(Outcome.OUT_OF_MEMORY, f"The notebook ran out of memory (the limit is "
                                                 f"{limits.memory_bytes / 2**30:.1f} GiB).")
    if status == "kernel_died" or report is None:
        if memory_hint:
            return RunVerdict(Outcome.OUT_OF_MEMORY, f"The kernel died running out of memory{where} "
                                                     f"(the limit is {limits.memory_bytes / 2**30:.1f} GiB, "
                                                     f"{limits.processes} threads).")
        how = f" (exit code {kernel_exit})" if isinstance(kernel_exit, int) else ""
        return RunVerdict(Outcome.KERNEL_DIED, f"The Python kernel died{where}{how}; a notebook whose "
                                               "kernel dies gets no points.")
    if status != "completed":
        return RunVerdict(Outcome.GRADER_ERROR, "The grader could not run the notebook: "
                                                f"{str((report or {}).get('detail', ''))[:300]}")
    if executed is None:
        return RunVerdict(Outcome.TAMPERING, "The executed notebook was removed or altered during the run.")
    return RunVerdict(Outcome.GRADED)


def _read_executed(sandbox_dir: Path, scratch: Path, limits: Limits) -> tuple[NotebookNode | None, str]:
    target = scratch / "executed.ipynb"
    try:
        copy_untrusted(sandbox_dir, EXECUTED_NAME, target, limits.notebook_bytes)
        return nbformat.reads(target.read_text(encoding="utf-8"), as_version=4), ""
    except FileNotFoundError:
        return None, "missing"
    except UntrustedFileError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - untrusted JSON
        return None, f"unreadable ({type(exc).__name__})"


# ------------------------------------------------------------------ judge

def _npz_within(path: Path, max_bytes: int) -> bool:
    """True when the .npz's arrays, unpacked, stay under ``max_bytes`` (no zip bombs)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist()) <= max_bytes
    except (zipfile.BadZipFile, OSError):
        return True  # np.load reports the damage itself


def _judge_function(ref: Reference, check: judging.FunctionCheck, sandbox_dir: Path,
                    scratch: Path, limits: Limits, cell_error: str | None) -> judging.Verdict:
    copied = scratch / "outputs" / f"{check.id}.npz"
    try:
        copy_untrusted(sandbox_dir, f"{JUDGE_DIR}/outputs/{check.id}.npz", copied, limits.results_bytes)
    except FileNotFoundError:
        if cell_error:
            return judging.Verdict(False, f"{check.id}: the visible checks of this test failed, so the "
                                          f"hidden check never ran ({cell_error}).")
        return judging.judge_function_outputs(ref.assignment, check, scratch / "absent.npz")
    except UntrustedFileError as exc:
        return judging.Verdict(False, f"{check.id}: the results file was refused ({exc}).")
    if not _npz_within(copied, limits.results_bytes):
        return judging.Verdict(False, f"{check.id}: the results are larger than the grader accepts.")
    return judging.judge_function_outputs(ref.assignment, check, copied)


def _judge_items(ref: Reference, sandbox_dir: Path, scratch: Path, executed: NotebookNode | None,
                 profile: str, limits: Limits) -> list[ItemResult]:
    cell_errors: dict[str, str] = {}
    for _, grade_id, ename, evalue in _errors(executed) if executed is not None else []:
        if grade_id and grade_id not in cell_errors:
            cell_errors[grade_id] = f"{ename}: {evalue}".strip(": ")[:400]
    results = []
    for item in ref.items:
        check = item.check
        if check is None:
            results.append(ItemResult(item.grade_id, item.points, 0.0,
                                      "Graded by hand; not scored automatically.", kind="manual"))
            continue
        if isinstance(check, judging.ArtifactCheck):
            verdict = judge_artifact_isolated(ref.assignment, check, sandbox_dir, profile=profile, limits=limits)
            kind = "artifact"
        else:
            verdict = _judge_function(ref, check, sandbox_dir, scratch, limits, cell_errors.get(item.grade_id))
            kind = "function"
        results.append(ItemResult(item.grade_id, item.points,
                                  round(item.points * verdict.score_fraction, 6), verdict.message, kind=kind))
    return results


def _zero_items(ref: Reference, why: str) -> list[ItemResult]:
    return [ItemResult(i.grade_id, i.points, 0.0, why,
                       kind="manual" if i.check is None else
                       "artifact" if isinstance(i.check, judging.ArtifactCheck) else "function")
            for i in ref.items]


# ------------------------------------------------------------------ outputs for feedback

def _figures(executed: NotebookNode, folder: Path) -> list[str]:
    """Write the PNG images of the executed notebook to ``folder``; return their paths."""
    paths: list[str] = []
    for index, cell in enumerate(executed.cells):
        for number, output in enumerate(cell.get("outputs", []) or []):
            encoded = (output.get("data") or {}).get("image/png") if isinstance(output, dict) else None
            if not isinstance(encoded, str) or len(paths) >= _MAX_FIGURES:
                continue
            if len(encoded) > _MAX_FIGURE_BYTES * 4 // 3 + 4:
                continue
            try:
                raw = base64.b64decode(encoded, validate=False)
            except (binascii.Error, ValueError):
                continue
            if not raw.startswith(_PNG_SIGNATURE):
                continue
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"cell{index:03d}_{number}.png"
            path.write_bytes(raw)
            paths.append(str(path))
    return paths


def feedback_notebook(executed: NotebookNode) -> NotebookNode:
    """The executed notebook made safe to show: hidden tests cleared, grade-cell
    tracebacks reduced to their last line, long outputs cut (nbgrader's LimitOutput)."""
    from nbgrader.preprocessors import ClearHiddenTests, LimitOutput

    nb = copy.deepcopy(executed)
    resources: dict = {}
    log = _quiet_log()
    for step in (ClearHiddenTests(log=log), LimitOutput(log=log)):
        nb, resources = step.preprocess(nb, resources)
    for cell in nb.cells:
        if not _grade_meta(cell).get("grade"):
            continue
        for output in cell.get("outputs", []) or []:
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', '')}: {output.get('evalue', '')}"]
    return nb


# ------------------------------------------------------------------ entry point

def _read_submitted(path: Path, limits: Limits) -> tuple[NotebookNode | None, Outcome | None, str]:
    try:
        size = os.lstat(path).st_size
    except FileNotFoundError:
        return None, Outcome.MISSING_NOTEBOOK, f"No {path.name} was found in the submission."
    if stat.S_ISLNK(os.lstat(path).st_mode) or not path.is_file():
        return None, Outcome.INVALID_NOTEBOOK, f"{path.name} is not a plain file."
    if size > limits.notebook_bytes:
        return None, Outcome.INVALID_NOTEBOOK, (f"{path.name} is {size / 2**20:.0f} MiB, over the "
                                                f"{limits.notebook_bytes / 2**20:.0f} MiB limit.")
    try:
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # noqa: BLE001 - untrusted file
        return None, Outcome.INVALID_NOTEBOOK, (f"{path.name} is not a valid notebook "
                                                f"({type(exc).__name__}); it could not be opened.")
    return nb, None, ""


def grade_submission(assignment: str, submission_dir: Path, *, student: str,
                     course_root: Path = REPO_ROOT, work_dir: Path | None = None,
                     limits: Limits = Limits()) -> SubmissionResult:
    """Grade ``submission_dir/<assignment>.ipynb`` (and the files beside it) for ``student``.

    work_dir: where to keep the executed notebook (hidden tests cleared) and the
        figures for feedback; a temporary folder (removed) when None.
    Never raises for a student's doing; a grader failure gives GRADER_ERROR.
    """
    from course_utils.runtime import profile as active_profile

    start = time.monotonic()
    profile = active_profile()
    result = SubmissionResult(student=student, assignment=assignment, outcome=Outcome.GRADED, profile=profile)
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="course-grade-")))
        keep = Path(work_dir) if work_dir is not None else scratch / "keep"
        try:
            _grade(result, assignment, Path(submission_dir), Path(course_root), scratch, keep,
                   limits, profile, keep_outputs=work_dir is not None)
        except Exception as exc:  # noqa: BLE001 - recorded, never a pass
            _log.error("grading %s/%s failed:\n%s", student, assignment, traceback.format_exc())
            result.outcome = Outcome.GRADER_ERROR
            result.reason = f"The grader failed ({type(exc).__name__}: {str(exc)[:300]}); this is not your fault."
            result.tests = [ItemResult(t.id, t.points, 0.0, result.reason, t.kind) for t in result.tests]
    result.seconds = round(time.monotonic() - start, 3)
    return result


def _grade(result: SubmissionResult, assignment: str, submission_dir: Path, course_root: Path,
           scratch: Path, keep: Path, limits: Limits, profile: str, *, keep_outputs: bool) -> None:
    ref = reference(assignment, course_root)
    result.tests = _zero_items(ref, "Not graded.")

    def zero(outcome: Outcome, reason: str) -> None:
        result.outcome, result.reason = outcome, reason
        result.tests = _zero_items(ref, f"No points: {reason}")

    notebook_name = f"{ref.notebook_id}.ipynb"
    submitted, failure, why = _read_submitted(submission_dir / notebook_name, limits)
    if failure is not None:
        return zero(failure, why)
    try:
        restored, notes = restore(submitted, ref)
    except Exception as exc:  # noqa: BLE001 - nbgrader's ValidationError and friends
        return zero(Outcome.INVALID_NOTEBOOK, "The notebook's nbgrader cell metadata is damaged "
                                              f"({type(exc).__name__}); download a fresh copy and move your answers in.")
    sandbox_dir = scratch / "sandbox"
    notes += _copy_submission(submission_dir, sandbox_dir, limits, notebook_name)
    nbformat.write(restored, str(sandbox_dir / notebook_name))
    judging.write_inputs(assignment, sandbox_dir / JUDGE_DIR)
    (sandbox_dir / JUDGE_DIR / "outputs").mkdir(exist_ok=True)
    inputs_before = _digest(sandbox_dir / JUDGE_DIR / "inputs")

    run, report = _execute(sandbox_dir, notebook_name, profile, limits)
    result.isolation = run.isolation + [
        f"limits: {limits.wall_seconds:.0f} s wall clock, {limits.cell_seconds} s per cell, "
        f"{limits.memory_bytes / 2**30:.1f} GiB memory, {limits.cpu_limit()} s CPU, "
        f"{limits.output_bytes / 2**20:.1f} MiB output"]
    executed, _ = _read_executed(sandbox_dir, scratch, limits)
    if report and report.get("output_truncated"):
        notes.append(f"The notebook printed more than {limits.output_bytes / 2**20:.1f} MiB; "
                     "the rest of its output was dropped.")
    result.notes = notes
    verdict = _classify(run, report, executed, limits)
    if verdict.outcome is Outcome.GRADED and _digest(sandbox_dir / JUDGE_DIR / "inputs") != inputs_before:
        verdict = RunVerdict(Outcome.TAMPERING, "The grader's hidden inputs were modified during the run.")
    if executed is not None and keep_outputs:
        keep.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(keep / "figures", ignore_errors=True)
        result.figures = _figures(executed, keep / "figures")
        path = keep / notebook_name
        nbformat.write(feedback_notebook(executed), str(path))
        result.executed_notebook = str(path)
    if verdict.outcome is not Outcome.GRADED:
        return zero(verdict.outcome, verdict.reason)
    result.tests = _judge_items(ref, sandbox_dir, scratch, executed, profile, limits)
