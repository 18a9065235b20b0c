"""Judge a file a student saved (``.keras`` model, ``.npz`` arrays) without trusting it.

The file comes out of a sandbox where the student's code ran, so it is data
from an adversary: it may be a link to the instructor's files, a zip bomb, a
model with a ``Lambda`` layer (arbitrary code), or simply huge. Hence:

1. it is copied out of the sandbox folder only if it is a plain file (no links
   anywhere on its path), under a size cap, into a fresh folder of the grader;
2. the hidden checks (:class:`autograder.verdicts.judging.ArtifactCheck`) run in a new
   Python process that never ran student code (``python -m autograder.verdicts.judging``,
   one process for all of a submission's files),
   itself sandboxed (:mod:`autograder.isolation.sandbox`: no network, read-only course,
   memory and time bounds). Checks load models with ``safe_mode=True``;
3. the verdicts come back over a pipe of their own, each line signed with a token drawn for
   that run (:func:`_run_checker`), never from the checker's output: a model whose code runs
   when it is loaded (a safe-mode bypass) and prints, or writes to every descriptor it holds,
   forges no verdict, and a check with two signed verdicts gets a zero. (Code that reads the
   checker's memory for the token could forge one; the checker holds no judge secret and no
   solution, so such a model could gain at most its own submission's artifact points.)
4. a *served* check (``ArtifactCheck.serve``, :mod:`autograder.verdicts.served`: weeks 2, 3, 5, 6) closes
   that last gap: the model is loaded in a sandboxed process that holds no token and no
   evaluation data (none bound, none sent; labels only in week 3's FGSM question, the public
   test split's, in a process of its own), and returns only its outputs on the grader's
   inputs (:mod:`autograder.verdicts.served_sandbox`: one such process for all of a submission's
   served files); the verdict is computed here, by the grader, which never loads the model.
   Every artifact check of the course is served; the checker remains for checks that are not
   (those of another course, or of the tests, kept on ``COURSE_CHECKS_PATH``).

Whatever goes wrong gives a zero with a plain reason, never a traceback.
"""

from __future__ import annotations

import fcntl
import hmac
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path

from autograder.isolation.sandbox import Limits, SandboxRun
from autograder.verdicts.checker_process import UntrustedFileError, checker_sandbox, copy_untrusted
from autograder.verdicts.judging import VERDICT_FD_ENV, ArtifactCheck, Verdict
from autograder.verdicts.served_sandbox import SandboxedModel, serve_submission

_SIDECAR_SUFFIX = ".json"
_UNSAFE_HINTS = ("lambda", "safe_mode", "unsafe")


def _sidecars(path: str) -> list[str]:
    """Metadata files that may accompany an artifact: ``model.keras.json`` and ``model.json``."""
    return [path + _SIDECAR_SUFFIX, str(Path(path).with_suffix(_SIDECAR_SUFFIX))]


def _plain(check: ArtifactCheck, message: str) -> str:
    """Replace a loader's technical refusal of code-carrying layers with plain words."""
    if any(hint in message.lower() for hint in _UNSAFE_HINTS):
        return (f"{check.id}: {check.path} contains a Lambda layer or other Python code, which the "
                "grader refuses to load (safe mode). Build the model from standard Keras layers "
                "only and save it again.")
    return message


def _copy_artifact(check: ArtifactCheck, notebook_dir: Path, work: Path, limits: Limits) -> Verdict | None:
    """Copy the artifact (and its optional metadata) into ``work``; a verdict when it cannot be."""
    try:
        copy_untrusted(notebook_dir, check.path, work / check.path, limits.artifact_bytes)
    except FileNotFoundError:
        return Verdict(False, f"{check.id}: {check.path} is missing; run the cell that saves it "
                              "and submit the file with your notebook.")
    except UntrustedFileError as exc:
        return Verdict(False, f"{check.id}: {exc}; the grader only reads plain files.")
    for sidecar in _sidecars(check.path):
        try:
            copy_untrusted(notebook_dir, sidecar, work / sidecar, 1 << 20)
        except (OSError, UntrustedFileError):
            pass  # metadata is optional; a check that needs it says so
    return None


def judge_artifacts_isolated(assignment: str, checks: list[ArtifactCheck], notebook_dir: Path, *,
                             profile: str, limits: Limits = Limits()) -> dict[str, Verdict]:
    """Judge all of one submission's artifacts in one fresh, sandboxed checker process.

    The checker never runs student code (safe-mode loading), so one process for all of a
    submission's files trusts nothing more than one per file did, and TensorFlow, the hidden
    models and the evaluation data load once instead of once per file. The process gets each
    check's time in turn (``artifact_seconds`` times their number). Served checks share one model
    process for all their files (:func:`autograder.verdicts.served_sandbox.serve_submission`; a file
    it left unanswered is judged alone). A check that ends with no
    verdict (the process ran out of time or memory, or died) is judged again alone, as
    :func:`judge_artifact_isolated` always did, so every verdict is the one it would have had alone.
    """
    verdicts: dict[str, Verdict] = {}
    with tempfile.TemporaryDirectory(prefix="course-artifacts-") as tmp:
        work = Path(tmp)
        to_run, to_serve = [], []
        for check in checks:
            refused = _copy_artifact(check, notebook_dir, work, limits)
            if refused is not None:
                verdicts[check.id] = refused
            else:
                (to_run if check.serve is None else to_serve).append(check)
        models = serve_submission(assignment, to_serve, work, profile, limits)
        for check in to_serve:
            verdicts[check.id] = _verdict_served(check, models[check.id], profile)
        if len(to_run) > 1:
            _, sent = _run_checker(assignment, to_run, work, profile, limits)
            verdicts.update(sent)
    for check in checks:
        if check.id not in verdicts:
            verdicts[check.id] = judge_artifact_isolated(assignment, check, notebook_dir, profile=profile,
                                                         limits=limits)
    return verdicts


def _run_checker(assignment: str, checks: list[ArtifactCheck], work: Path, profile: str,
                 limits: Limits) -> tuple[SandboxRun, dict[str, Verdict]]:
    """Run one sandboxed checker on ``checks`` (files already in ``work``); the run, and the
    verdicts it sent over its pipe (see the module doc), each check's time in turn."""
    sandbox, env = checker_sandbox(work)
    token = secrets.token_hex(16)
    read_end, write_end = os.pipe()
    try:
        run = sandbox.run([sys.executable, "-m", "autograder.verdicts.judging", assignment,
                           ",".join(c.id for c in checks), sandbox.work, profile],
                          env={**env, VERDICT_FD_ENV: str(write_end)}, limits=limits,
                          wall_seconds=limits.artifact_seconds * len(checks),
                          memory_bytes=limits.artifact_memory_bytes,
                          stdin=f"{token}\n".encode(), pass_fds=(write_end,))
        os.close(write_end)
        write_end = -1
        sent = _drain(read_end)
    finally:
        for descriptor in (read_end, write_end):
            if descriptor >= 0:
                os.close(descriptor)
    return run, _signed_verdicts(sent, token, {c.id: c for c in checks})


def _drain(descriptor: int) -> bytes:
    """What is waiting in a pipe whose writers are gone or stopped (at most its buffer, 64 KiB:
    a checker that wrote more blocked and met its clock)."""
    fcntl.fcntl(descriptor, fcntl.F_SETFL, fcntl.fcntl(descriptor, fcntl.F_GETFL) | os.O_NONBLOCK)
    chunks = []
    try:
        while chunk := os.read(descriptor, 1 << 16):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    return b"".join(chunks)


def _signed_verdicts(sent: bytes, token: str, checks: dict[str, ArtifactCheck]) -> dict[str, Verdict]:
    """The verdicts among ``sent`` lines that carry ``token``, by check; other lines are ignored,
    and a check with two signed verdicts (which the checker never sends) gets a zero."""
    found: dict[str, list[Verdict]] = {}
    for line in sent.decode("utf-8", errors="replace").splitlines():
        try:
            data = json.loads(line)
            if not hmac.compare_digest(str(data["token"]), token):
                continue
            check, verdict = checks[data["check"]], Verdict.from_json(data["verdict"])
        except (ValueError, KeyError, TypeError):
            continue
        found.setdefault(check.id, []).append(
            verdict if verdict.passed else Verdict(False, _plain(check, verdict.message), verdict.fraction))
    return {check_id: verdicts[0] if len(verdicts) == 1 else Verdict(
                False, f"{check_id}: {checks[check_id].path} could not be checked (the checker's verdict "
                       "was tampered with); a TA will look at it.")
            for check_id, verdicts in found.items()}


def judge_artifact_isolated(assignment: str, check: ArtifactCheck, notebook_dir: Path, *,
                            profile: str, limits: Limits = Limits()) -> Verdict:
    """Judge ``notebook_dir/check.path`` with ``check`` in a fresh, sandboxed process."""
    with tempfile.TemporaryDirectory(prefix="course-artifact-") as tmp:
        work = Path(tmp)
        refused = _copy_artifact(check, notebook_dir, work, limits)
        if refused is not None:
            return refused
        if check.serve is not None:
            return _judge_served(assignment, check, work, profile, limits)
        run, sent = _run_checker(assignment, [check], work, profile, limits)
    if run.timed_out:
        return Verdict(False, f"{check.id}: checking {check.path} took longer than "
                              f"{limits.artifact_seconds:.0f} s; the file was not accepted.")
    if run.returncode != 0:
        memory = "MemoryError" in run.stderr or "bad_alloc" in run.stderr
        why = "it needs more memory than allowed" if memory else "the checker could not load it"
        return Verdict(False, f"{check.id}: {check.path} could not be checked ({why}).")
    return sent.get(check.id) or Verdict(False, f"{check.id}: {check.path} could not be checked (no verdict).")


def _judge_served(assignment: str, check: ArtifactCheck, work: Path, profile: str, limits: Limits) -> Verdict:
    """A served check's verdict, computed here from the model process's answers (module doc)."""
    return _verdict_served(check, SandboxedModel(assignment, check, work / check.path, limits), profile)


def _verdict_served(check: ArtifactCheck, model: SandboxedModel, profile: str) -> Verdict:
    """``check``'s verdict from ``model``'s answers; a surprise in them, or a run that ended without
    answers, is a zero that says so."""
    try:
        verdict = check.serve.judge(model, profile)
    except Exception as exc:  # noqa: BLE001 - answers are untrusted data; a surprise among them is a zero
        return Verdict(False, f"{check.id}: {check.path} could not be checked ({type(exc).__name__}).")
    if model.problem and not verdict.passed:
        return Verdict(False, f"{check.id}: {check.path} could not be checked ({model.problem}).")
    return verdict if verdict.passed else Verdict(False, _plain(check, verdict.message), verdict.fraction)
