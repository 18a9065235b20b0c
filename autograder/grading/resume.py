"""Resumable grading: a rerun of ``course grade`` grades only what is new or changed.

Why: a class of hundreds of TensorFlow notebooks takes hours; when a run is interrupted (a
machine restarts, a TA presses Ctrl-C) or a few late submissions arrive, grading everything
again wastes those hours. Each result records a fingerprint of the submission folder it was
graded from (:func:`fingerprint`); a later run keeps a recorded result when the folder's
fingerprint, the profile and the grading code are the same, and the result is not a grader
error (those are always retried). ``--force`` regrades everyone; naming students with
``--student`` regrades them whatever their fingerprint. Either way the gradebook ends the same.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Mapping

from autograder.records.results import Outcome, SubmissionResult

_CHUNK = 1 << 20
_IGNORED = {"__pycache__", ".ipynb_checkpoints"}  # never graded (submission.copy_submission skips them)


def fingerprint(folder: Path) -> str:
    """SHA-256 of every file name, link target and file content under ``folder`` (sorted, links not
    followed): the same folder gives the same hex digest on any machine, a changed byte another."""
    digest = hashlib.sha256()
    root = Path(folder)
    for directory, subdirectories, files in os.walk(root, followlinks=False):
        subdirectories[:] = sorted(d for d in subdirectories if d not in _IGNORED)
        for name in sorted(files):
            path = Path(directory) / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                digest.update(f"link {relative} -> {os.readlink(path)}\n".encode("utf-8", "surrogateescape"))
                continue
            digest.update(f"file {relative} {path.stat().st_size}\n".encode("utf-8", "surrogateescape"))
            with open(path, "rb") as stream:
                for chunk in iter(lambda: stream.read(_CHUNK), b""):
                    digest.update(chunk)
    return digest.hexdigest()


def grading_code_version(course_root: Path) -> str:
    """A digest of the grading code, the checks and the term's judge secret: a result graded by
    other checks (an instructor fixed a bar) or on other hidden cases is not kept."""
    digest = hashlib.sha256(os.environ.get("COURSE_JUDGE_SECRET", "").encode() + b"\n")
    package = Path(__file__).resolve().parents[1]  # autograder/, every layer of it
    checks = Path(course_root) / "autograder" / "checks"
    for folder, pattern in ((package, "**/*.py"), (checks, "*.py")):
        for path in sorted(folder.glob(pattern)):
            digest.update(str(path.relative_to(folder)).encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()[:16]


def unchanged(recorded: list[SubmissionResult], fingerprints: Mapping[str, str], profile: str,
              version: str) -> dict[str, SubmissionResult]:
    """The recorded results that still hold: same folder fingerprint, profile and grading code,
    and not a grader error."""
    kept = {}
    for result in recorded:
        now = fingerprints.get(result.student)
        if (now and result.submission_hash == f"{version}:{now}" and result.profile == profile
                and result.outcome is not Outcome.GRADER_ERROR):
            kept[result.student] = result
    return kept
