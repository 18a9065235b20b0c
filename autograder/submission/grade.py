"""Grade one student's submission of one assignment: :func:`grade_submission`.

The steps, and who is trusted in each:

1. **Restore** (grader process, :mod:`autograder.submission.restoring`): the submitted
   notebook is read as untrusted JSON and sanitised with nbgrader's own autograde preprocessors
   (``ClearOutput``, ``DeduplicateIds``, ``OverwriteKernelspec``,
   ``OverwriteCells(add_missing_cells=True)``, ``CheckCellMetadata``) against a
   private gradebook that holds the instructor's source cells, hidden tests
   included (made by nbgrader's ``GenerateAssignment`` with ``SaveCells``).
   nbgrader's semantics are kept: an edited locked cell or grade cell is put
   back as the instructor wrote it, a deleted grade cell is added back, and a
   changed point value is reset. Points come only from the hidden checks below, so an
   edited test cell gains nothing and is only listed in :attr:`SubmissionResult.notes`.
2. **Prepare** a fresh work folder (:class:`autograder.isolation.workfolder.WorkFolder`:
   a tmpfs whose bound starts *after* the shipped files) with only this
   student's plain files (links, ``.judge``, and copies of
   ``course_utils``/``autograder`` that would shadow the real ones are left
   out) plus the restored notebook.
3. **Run** the notebook: nbclient here, in the grader, and only the kernel
   inside :class:`autograder.isolation.sandbox.Sandbox`
   (:func:`autograder.submission.notebook_runner.run_notebook`), so that the status and
   the executed notebook are the grader's own observation
   (:mod:`autograder.submission.outcomes`). The sandbox sees the student folder,
   ``course_utils`` and the datasets: never the repository, ``solutions/``, ``autograder/`` or the gradebook.
4. **Judge** (grader process, and one fresh sandboxed process for all the artifacts):
   every grade cell ``test_<id>`` earns ``points × verdict.score_fraction`` of
   its hidden check ``<id>``. In-kernel pass/fail never gives points; a test
   cell whose visible asserts fail never hands the function over, so it earns
   nothing. Anything the sandbox wrote is read as untrusted data (no links,
   size caps, ``allow_pickle=False``, JSON only).

Zero outcomes (all items score 0, the reason in plain words): TIMEOUT (wall
clock, a cell, or CPU time), OUTPUT_LIMIT (the folder reached its disk bound;
mere chatter is cut and noted instead), OUT_OF_MEMORY (the cgroup's OOM
killer, or ``MemoryError``/TF ``ResourceExhaustedError`` in a cell),
KERNEL_DIED (never a pass), MISSING_NOTEBOOK, INVALID_NOTEBOOK, GRADER_ERROR
(ours, worded by the grader alone). The hidden inputs never enter the notebook's
sandbox; a check whose handed-over function was tampered with is refused by its harness.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat
from nbformat import NotebookNode

import course_utils
from autograder.submission import feedback_outputs, notebook_runner, training_stack, written_answers
from autograder.verdicts import function_harness, function_judge, judging
from autograder.submission.restoring import restore
from autograder.verdicts.artifacts import judge_artifacts_isolated
from autograder.submission.references import MANUAL_MESSAGE, REPO_ROOT, UNSCORED_ANSWER_MESSAGE, Reference, reference
from autograder.records.results import ItemResult, Outcome, SubmissionResult, printable
from autograder.submission.notebook_runner import NotebookRun
from autograder.submission.outcomes import Observed, RunVerdict, classify, errors, grade_ids_before, in_course_words
from autograder.isolation.sandbox import Limits, Sandbox
from autograder.isolation.workfolder import WorkFolder

JUDGE_DIR = ".judge"
# Top-level names never copied from a submission: the judge's folder (fresh each
# run) and packages that would shadow the course's own inside the kernel.
_SKIP_TOP = {JUDGE_DIR, "course_utils", "autograder", notebook_runner.KERNEL_DIR}
_SKIP_ANYWHERE = {"__pycache__", ".ipynb_checkpoints"}
_log = logging.getLogger(__name__)


# ------------------------------------------------------------------ folder

def copy_submission(source: Path, target: Path, limits: Limits, notebook_name: str) -> list[str]:
    """Copy the student's plain files (no links, no specials) up to ``limits.submission_bytes``."""
    notes: list[str] = []
    budget = limits.submission_bytes
    target.mkdir(parents=True, exist_ok=True)

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


# ------------------------------------------------------------------ run

@dataclass(frozen=True)
class Execution:
    """A finished run: the notebook as executed, how it ended, and how it was isolated."""

    run: NotebookRun
    verdict: RunVerdict
    isolation: list[str]
    peak_memory: int | None
    cpu_seconds: float | None  # the whole run's, from its cgroup


def _shadowing(folder: Path) -> tuple[str, ...]:
    """Top-level modules the student shipped (``json.py``, ``numpy/``): they can stop a kernel."""
    names = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.endswith(".py") and entry.is_file(follow_symlinks=False):
            names.append(entry.name)
        elif entry.is_dir(follow_symlinks=False) and (Path(entry.path) / "__init__.py").is_file():
            names.append(entry.name + "/")
    return tuple(names)


def execute_sandboxed(work: WorkFolder, restored: NotebookNode, profile: str, limits: Limits) -> Execution:
    """Run the restored notebook with its kernel in a sandbox around ``work``."""
    from course_utils import data

    box = Sandbox(work.path)
    try:
        utils_dir = box.bind_readonly(Path(course_utils.__file__).parent, "/opt/course/course_utils")
        env = {"PYTHONPATH": str(Path(utils_dir).parent), "NBGRADER_EXECUTION": "autograde",
               "COURSE_JUDGE_DIR": box.inside(work.path / JUDGE_DIR), "COURSE_PROFILE": profile,
               "COURSE_DATA_DOWNLOAD": "0", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONDONTWRITEBYTECODE": "1",
               "PYTHONSAFEPATH": "1"}  # the launcher is never imported from the student's folder
        if data.data_dir().is_dir():
            env["COURSE_DATA_DIR"] = box.bind_readonly(data.data_dir(), "/opt/course-data")
        run = notebook_runner.run_notebook(restored, box, env=env, limits=limits, python=sys.executable)
        group = box.group
        observed = Observed(oom_kills=group.oom_kills() if group else 0,
                            forks_refused=group.forks_refused() if group else 0,
                            folder_full=work.full(), memory_bounded_by_cgroup=group is not None,
                            shadowing=_shadowing(work.path))
        verdict = classify(run.status, run.cell, run.kernel_exit, run.stderr, run.executed, observed, limits)
        if verdict.outcome is Outcome.GRADER_ERROR and run.detail:  # what went wrong, for the TA
            _log.error("the kernel of %s did not start: %s", work.path, run.detail)
            verdict = RunVerdict(verdict.outcome, f"{verdict.reason} Detail: {run.detail}")
        isolation = box.describe() + [work.describe()]
        measured = (group.peak_memory(), group.cpu_seconds()) if group else (None, None)
        return Execution(run, verdict, isolation, *measured)
    finally:
        box.close()


# ------------------------------------------------------------------ judge

def grade_cell_errors(executed: NotebookNode | None, failed_cells: dict[int, str]) -> dict[str, str]:
    """By grade id, the error of every grade cell whose visible part raised.

    Both what the grader saw: an error output in the cell, or an execute reply that said
    "error" (the output may have been dropped by the output bound; the reply cannot be).
    """
    found: dict[str, str] = {}
    for _, grade_id, ename, evalue in errors(executed) if executed is not None else []:
        if grade_id and grade_id not in found:
            found[grade_id] = f"{ename}: {evalue}".strip(": ")[:400]
    cells = executed.cells if executed is not None else []
    for index, error in sorted(failed_cells.items()):
        if 0 <= index < len(cells):
            grade_id = (cells[index].get("metadata", {}).get("nbgrader", {}) or {}).get("grade_id")
            if grade_id and grade_id not in found:
                found[grade_id] = error[:400] or "an error"
    return found


def _judge_functions(ref: Reference, sandbox_dir: Path, limits: Limits,
                     cell_errors: dict[str, str]) -> dict[str, judging.Verdict]:
    """Every function check's verdict, from one fresh sandboxed harness process that calls
    the functions the notebook handed over on the hidden inputs (autograder.verdicts.function_judge).

    The grade cell decides what is judged: a check whose grade cell raised gets "visible
    checks failed", whatever was handed over (a student who calls ``judge.submit`` by hand
    in an earlier cell, past a visible assert that then fails, is not judged again).
    """
    items = [item for item in ref.items if isinstance(item.check, judging.FunctionCheck)]
    verdicts: dict[str, judging.Verdict] = {}
    judged = []
    for item in items:
        error = cell_errors.get(item.grade_id)
        if error is None:
            judged.append(item.check)
        else:
            verdicts[item.check.id] = judging.Verdict(
                False, f"{item.check.id}: the visible checks of this test failed, so the hidden check "
                       f"never ran ({in_course_words(error)}).")
    if judged:
        verdicts.update(function_judge.judge_functions_isolated(ref.assignment, judged, sandbox_dir, limits))
    return verdicts


def _judge_items(ref: Reference, sandbox_dir: Path, scratch: Path, cell_errors: dict[str, str],
                 profile: str, limits: Limits, ta_notes: list[str]) -> list[ItemResult]:
    results = []
    functions = _judge_functions(ref, sandbox_dir, limits, cell_errors)
    artifacts = judge_artifacts_isolated(
        ref.assignment, [i.check for i in ref.items if isinstance(i.check, judging.ArtifactCheck)], sandbox_dir,
        profile=profile, limits=limits)
    for item in ref.items:
        check = item.check
        if check is None:
            results.append(ItemResult(item.grade_id, item.points, 0.0, MANUAL_MESSAGE if item.points else
                                      UNSCORED_ANSWER_MESSAGE, kind="manual"))
            continue
        if isinstance(check, judging.ArtifactCheck):
            verdict, kind = artifacts[check.id], "artifact"
            ta_notes += [f"{check.id}: {verdict.ta_note}"] if verdict.ta_note else []  # for the TA only
        else:
            verdict = functions[check.id]
            kind = "function"
        results.append(ItemResult(item.grade_id, item.points,
                                  round(item.points * verdict.score_fraction, 6), verdict.message, kind=kind))
    return results


def tampering_evidence(notes: list[str], tests: list[ItemResult]) -> str | None:
    """Why this submission counts as tampering, or None.

    Two signs that no honest slip produces: a grade cell's points changed in its metadata
    (Jupyter offers no way to do that by accident), and a function that interfered with the
    harness measuring it (``function_harness``: tracer replaced, interpreter searched, frames
    taken). An edited read-only cell alone is not one: the grader restores it, and students
    do type into the wrong cell.
    """
    changed = [note for note in notes if note.startswith("The points of ")]
    if changed:
        return changed[0]
    refused = next((t for t in tests if t.kind == "function" and f": {function_harness.REFUSED}:" in t.message), None)
    if refused is not None:
        return f"{refused.message.split(': ', 1)[1].rstrip('.')} ({refused.id.removeprefix('test_')})."
    return None


def _zero_items(ref: Reference, why: str) -> list[ItemResult]:
    return [ItemResult(i.grade_id, i.points, 0.0, why, kind="manual" if i.check is None else
                       "artifact" if isinstance(i.check, judging.ArtifactCheck) else "function")
            for i in ref.items]


# ------------------------------------------------------------------ entry point

def locate_notebook(submission_dir: Path, notebook_name: str) -> tuple[Path, str | None]:
    """The notebook to grade, and a note when it was not named ``notebook_name``.

    A student who saved ``00_setup-Copy1.ipynb`` or ``00_setup (1).ipynb`` and nothing
    else meant that one: it is graded, with a note saying so. With several other
    notebooks, or none, the expected path is returned (and reported missing, with
    what was found).
    """
    expected = submission_dir / notebook_name
    if os.path.lexists(expected):
        return expected, None
    others = sorted(entry.name for entry in os.scandir(submission_dir)
                    if entry.name.endswith(".ipynb") and entry.is_file(follow_symlinks=False))
    if len(others) == 1:
        return submission_dir / others[0], (f"Your notebook was named {printable(others[0])}, not {notebook_name}; "
                                            "it was graded as that notebook. Name it exactly "
                                            f"{notebook_name} next time.")
    return expected, None


def read_submitted(path: Path, limits: Limits) -> tuple[NotebookNode | None, Outcome | None, str]:
    try:
        size = os.lstat(path).st_size
    except FileNotFoundError:
        try:
            found = sorted(name for name in os.listdir(path.parent) if not name.startswith("."))[:8]
        except OSError:
            found = []
        return None, Outcome.MISSING_NOTEBOOK, (f"No {path.name} was found in the submission (it holds: "
                                                f"{', '.join(map(printable, found)) or 'nothing'}).")
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
    result.training = training_stack.for_reference(submission_dir, ref)  # the sidecars' claims, for the TA

    def zero(outcome: Outcome, reason: str) -> None:
        result.outcome, result.reason = outcome, reason
        result.tests = _zero_items(ref, f"No points: {reason}")

    notebook_name = f"{ref.notebook_id}.ipynb"
    path, renamed = locate_notebook(submission_dir, notebook_name)
    submitted, failure, why = read_submitted(path, limits)
    if failure is not None:
        return zero(failure, why)
    try:
        restored, notes = restore(submitted, ref)
    except Exception as exc:  # noqa: BLE001 - nbgrader's ValidationError and friends
        return zero(Outcome.INVALID_NOTEBOOK, "The notebook's nbgrader cell metadata is damaged "
                                              f"({type(exc).__name__}); download a fresh copy and move your answers in.")
    if renamed:
        notes.insert(0, renamed)
    parent = str(keep.parent) if keep_outputs else None
    with WorkFolder(limits.submission_bytes + limits.disk_bytes, 1 << 22, parent=parent) as work:
        sandbox_dir = work.path
        notes += copy_submission(submission_dir, sandbox_dir, limits, notebook_name)
        nbformat.write(restored, str(sandbox_dir / notebook_name))
        function_judge.prepare(sandbox_dir)  # .judge/functions only: hidden inputs stay with the grader
        work.seal(limits.disk_bytes, limits.disk_entries)

        execution = execute_sandboxed(work, restored, profile, limits)
        run, verdict = execution.run, execution.verdict
        result.peak_memory_bytes, result.cpu_seconds = execution.peak_memory, execution.cpu_seconds
        result.isolation = execution.isolation + [
            f"limits: {limits.wall_seconds:.0f} s wall clock, {limits.cell_seconds} s per cell, "
            f"{limits.memory_bytes / 2**30:.1f} GiB memory, {limits.processes} processes and threads, "
            f"{limits.cpu_limit()} s CPU, {limits.output_bytes / 2**20:.1f} MiB output"]
        if run.output_truncated:
            notes.append(f"The notebook printed more than {limits.output_bytes / 2**20:.1f} MiB (text, "
                         "displays, display updates and widget messages all count); the rest of its "
                         "output was dropped.")
        result.notes = notes
        if keep_outputs:
            keep.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(keep / "figures", ignore_errors=True)
            result.figures = feedback_outputs.figures(run.executed, keep / "figures")
            path = keep / notebook_name
            nbformat.write(feedback_outputs.feedback_notebook(run.executed), str(path))
            result.executed_notebook = str(path)
        reached = {i.grade_id for i in ref.items}
        if verdict.outcome is Outcome.TIMEOUT:  # a timeout costs only what did not run
            reached &= grade_ids_before(run.executed, run.cell)
        if verdict.outcome is not Outcome.GRADED:
            zero(verdict.outcome, verdict.reason + (" The tests that ran before it keep their points." if reached else ""))
            if verdict.outcome is not Outcome.TIMEOUT or not reached:
                return None
        judged = _judge_items(replace(ref, items=tuple(i for i in ref.items if i.grade_id in reached)), sandbox_dir,
                              scratch, grade_cell_errors(run.executed, run.failed_cells), profile, limits,
                              result.ta_notes)
        result.tests = [next((t for t in judged if t.id == item.id), item) for item in result.tests]
        result.tests = written_answers.with_answers(result.tests, restored, ref.released)
        evidence = tampering_evidence(notes, result.tests)
        if evidence:
            return zero(Outcome.TAMPERING, f"{evidence} This counts as tampering: every test scores zero, and the "
                                           "notebook is kept for a TA to review (ask one if it was a mistake).")
