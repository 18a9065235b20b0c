"""Judge student functions outside the student's kernel, in a fresh sandboxed process.

The notebook only hands its functions over (``course_utils.judge.submit``
pickles each one to ``<folder>/.judge/functions/<check>.pkl``, or leaves a plain
``<check>.error.txt``). Here, after the notebook ran, the grader:

1. copies each pickle out of the student's folder with
   :func:`autograder.verdicts.checker_process.copy_untrusted` (plain file, size cap, no links;
   a FIFO, folder or link is the student's zero with a plain message);
2. writes the hidden inputs (:func:`autograder.verdicts.judging.make_cases`) beside the
   pickles in a fresh folder; they never enter the kernel's sandbox;
3. runs :mod:`autograder.verdicts.function_harness` once for all the submission's
   function checks, in a fresh :class:`autograder.isolation.sandbox.Sandbox` that holds
   only the harness (read-only), ``course_utils`` (read-only) and that folder,
   bounded by ``limits.artifact_seconds`` and ``limits.artifact_memory_bytes``;
4. reads ``results/<check>.npz`` back as untrusted data (``copy_untrusted``,
   ``limits.results_bytes`` packed and unpacked, ``allow_pickle=False``) and
   judges it with the check (:func:`autograder.verdicts.judging.judge_function_outputs`).

So the seconds, dtypes and line events a check sees were measured by the
harness, never claimed by the kernel. ``python -m autograder.verdicts.function_judge
ASSIGNMENT CHECK FOLDER`` judges one check the same way and prints the verdict as
JSON: the instructor's run of a source notebook (``judge.submit``) uses it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

import course_utils
from autograder.verdicts import function_harness, judging
from autograder.verdicts.checker_process import UntrustedFileError, copy_untrusted
from autograder.verdicts.judging import FunctionCheck, Verdict
from autograder.isolation.sandbox import Limits, Sandbox, SandboxRun
from course_utils import handover
from course_utils import judge as notebook_judge
from course_utils.judge import ERROR_SUFFIX, FUNCTIONS_DIR, MAX_ERROR_CHARS, SANDBOX_JUDGE_DIR

_MESSAGE_BYTES = 4096
_SCANNED_BYTES = 2**20  # of a pickle that failed to load, read for the names it imports
_MEMORY_HINTS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "pthread_create() failed")


def prepare(sandbox_dir: Path) -> Path:
    """Make ``.judge/functions`` in a folder about to run a notebook; return it.

    It is where ``judge.submit`` hands functions over. Nothing else goes into
    ``.judge``: the hidden inputs never enter the kernel's sandbox.
    """
    folder = Path(sandbox_dir) / SANDBOX_JUDGE_DIR / FUNCTIONS_DIR
    folder.mkdir(parents=True)
    return folder


def _plain_text(path: Path) -> str:
    """A short message file from the sandbox as one printable line (never markup or control codes)."""
    text = path.read_bytes()[:_MESSAGE_BYTES].decode("utf-8", errors="replace")
    return "".join(c if c.isprintable() else " " for c in text).strip()[:MAX_ERROR_CHARS]


def _npz_within(path: Path, max_bytes: int) -> bool:
    """True when the .npz's arrays, unpacked, stay under ``max_bytes`` (no zip bombs)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist()) <= max_bytes
    except (zipfile.BadZipFile, OSError):
        return True  # np.load reports the damage itself


def _copy_message(root: Path, relative: str, target: Path) -> str | None:
    """The plain message at ``root/relative`` (a small plain file), or None when there is none."""
    try:
        copy_untrusted(root, relative, target, _MESSAGE_BYTES)
    except (OSError, UntrustedFileError):
        return None
    return _plain_text(target) or None


def _hand_over(assignment: str, check: FunctionCheck, sandbox_dir: Path, work: Path, scratch: Path,
               limits: Limits, cell_error: str | None) -> Verdict | None:
    """Copy the check's pickle into ``work/functions``; a Verdict (a zero) when that is impossible."""
    relative = f"{SANDBOX_JUDGE_DIR}/{FUNCTIONS_DIR}/{check.id}"
    try:
        copy_untrusted(sandbox_dir, f"{relative}.pkl", work / FUNCTIONS_DIR / f"{check.id}.pkl",
                       limits.artifact_bytes)
        _keep_payload(work / FUNCTIONS_DIR / f"{check.id}.pkl", scratch / f"{check.id}.pkl")
        return None
    except FileNotFoundError:
        pass
    except UntrustedFileError as exc:
        return Verdict(False, f"{check.id}: the handed-over function was refused ({exc}); "
                              "the grader only reads plain files.")
    message = _copy_message(sandbox_dir, relative + ERROR_SUFFIX, scratch / f"{check.id}{ERROR_SUFFIX}")
    if message:
        return Verdict(False, f"{check.id}: {message}")
    if cell_error:
        return Verdict(False, f"{check.id}: the visible checks of this test failed, so the hidden "
                              f"check never ran ({cell_error}).")
    return judging.judge_function_outputs(assignment, check, scratch / "absent.npz")  # never handed over


def _keep_payload(handed: Path, kept: Path) -> None:
    """A link (or copy) of the handed-over pickle outside the harness's folder, which it deletes:
    read only to name a global it could not load (:func:`load_failure`)."""
    try:
        os.link(handed, kept)
    except OSError:
        shutil.copyfile(handed, kept)


def load_failure(message: str, payload: Path | None) -> str:
    """The harness's "could not load your function" message, naming what could not be imported.

    The names are read from the pickle's opcodes in this process (``handover.references``,
    bounded), never from the harness, whose process ran student code beside hidden inputs.
    """
    if not message.startswith(function_harness.LOAD_FAILED) or payload is None or not payload.is_file():
        return message
    with payload.open("rb") as stream:
        head = stream.read(_SCANNED_BYTES)
    found = handover.unsendable(handover.references(head, partial=True))
    return f"{message.split(';')[0]}: {found.message}" if found else message


def _run_harness(work: Path, check_ids: list[str], limits: Limits) -> SandboxRun:
    """One sandboxed harness process for all of ``check_ids`` (``id[:lines]``, see function_harness)."""
    box = Sandbox(work)
    utils = box.bind_readonly(Path(course_utils.__file__).parent, "/opt/course/course_utils")
    harness = box.bind_readonly(Path(function_harness.__file__), "/opt/grader/function_harness.py")
    env = {"PYTHONPATH": str(Path(utils).parent), "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg", "COURSE_DATA_DOWNLOAD": "0"}
    return box.run([sys.executable, harness, box.work, *check_ids], env=env, limits=limits,
                   wall_seconds=limits.artifact_seconds, memory_bytes=limits.artifact_memory_bytes)


def _no_results(check: FunctionCheck, run: SandboxRun, limits: Limits) -> Verdict:
    if run.timed_out:
        return Verdict(False, f"{check.id}: running your function on the hidden inputs took longer "
                              f"than the {limits.artifact_seconds:.0f} s allowed (for all function checks).")
    if run.disk_exceeded:
        return Verdict(False, f"{check.id}: your function wrote more files than the grader allows.")
    if run.oom_killed or any(hint in run.stderr for hint in _MEMORY_HINTS):
        return Verdict(False, f"{check.id}: your function needs more memory than the "
                              f"{limits.artifact_memory_bytes / 2**30:.1f} GiB allowed.")
    return Verdict(False, f"{check.id}: the grader's process stopped while running your function "
                          f"(exit status {run.returncode}); it gave no results.")


def _read_verdict(assignment: str, check: FunctionCheck, work: Path, scratch: Path,
                  run: SandboxRun, limits: Limits) -> Verdict:
    """Judge ``work/results/<check>.npz`` (or show ``<check>.error.txt``) as untrusted data."""
    copied = scratch / "results" / f"{check.id}.npz"
    try:
        copy_untrusted(work, f"results/{check.id}.npz", copied, limits.results_bytes)
    except FileNotFoundError:
        message = _copy_message(work, f"results/{check.id}{ERROR_SUFFIX}", scratch / f"{check.id}.load.txt")
        if not message:
            return _no_results(check, run, limits)
        return Verdict(False, f"{check.id}: {load_failure(message, scratch / f'{check.id}.pkl')}")
    except UntrustedFileError as exc:
        return Verdict(False, f"{check.id}: the results file was refused ({exc}).")
    if not _npz_within(copied, limits.results_bytes):
        return Verdict(False, f"{check.id}: the results are larger than the grader accepts.")
    return judging.judge_function_outputs(assignment, check, copied)


def judge_functions_isolated(assignment: str, checks: list[FunctionCheck], sandbox_dir: Path,
                             limits: Limits, *, cell_errors: Mapping[str, str] | None = None
                             ) -> dict[str, Verdict]:
    """Verdicts of ``checks`` on the functions the notebook in ``sandbox_dir`` handed over.

    sandbox_dir: the folder the notebook ran in (its ``.judge/functions`` is read).
    cell_errors: by check id, the error of its grade cell; when a function was
        never handed over, the verdict names that error instead.
    One harness process serves every check that has a function (none starts
    when no check has one). Never raises for a student's doing.
    """
    verdicts: dict[str, Verdict] = {}
    with tempfile.TemporaryDirectory(prefix="course-functions-") as tmp:
        work, scratch = Path(tmp) / "work", Path(tmp) / "scratch"
        for folder in (work / FUNCTIONS_DIR, work / "inputs", scratch):
            folder.mkdir(parents=True)
        handed = []
        for check in checks:
            refusal = _hand_over(assignment, check, Path(sandbox_dir), work, scratch, limits,
                                 (cell_errors or {}).get(check.id))
            if refusal is not None:
                verdicts[check.id] = refusal
                continue
            cases = judging.make_cases(assignment, check)
            np.savez(work / "inputs" / f"{check.id}.npz", **notebook_judge.encode_cases(cases))
            handed.append(check)
        if handed:
            requested = [check.id + (function_harness.LINES_SUFFIX if check.counts_lines else "")
                         for check in handed]
            run = _run_harness(work, requested, limits)
            for check in handed:
                verdicts[check.id] = _read_verdict(assignment, check, work, scratch, run, limits)
    return verdicts


def judge_function_isolated(assignment: str, check: FunctionCheck, sandbox_dir: Path,
                            limits: Limits) -> Verdict:
    """The verdict of one function check (one harness process; see :func:`judge_functions_isolated`)."""
    return judge_functions_isolated(assignment, [check], sandbox_dir, limits)[check.id]


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.verdicts.function_judge ASSIGNMENT CHECK FOLDER`` -> JSON verdict on stdout."""
    assignment, check_id, folder = (argv or sys.argv[1:])[:3]
    check = judging.get_check(assignment, check_id)
    if not isinstance(check, FunctionCheck):
        raise SystemExit(f"{check_id} is an artifact check; use judge.submit_artifact().")
    verdict = judge_function_isolated(assignment, check, Path(folder), Limits())
    print(json.dumps(verdict.to_json()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
