"""The trusted processes that read what a student saved: their sandbox, and how files reach them.

Two kinds of process load a student's saved files without trusting them: the artifact checker
(``python -m autograder.verdicts.judging``, started by :mod:`autograder.verdicts.artifacts`) and a
served check's model process (``python -m autograder.verdicts.served``, started by
:mod:`autograder.verdicts.served_sandbox`). Both run in :func:`checker_sandbox`; every file that
crosses from a sandbox to the grader (an artifact, a model process's answers, the function
harness's pickles and results in :mod:`autograder.verdicts.function_judge`) is read through
:func:`copy_untrusted`. A module of its own, so that each of those imports it at the top: it was
in ``artifacts``, which imports ``served_sandbox``, so ``served_sandbox`` had to import it inside a
function to dodge the circle.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from autograder.isolation.sandbox import Sandbox
from autograder.paths import REPO_ROOT
from autograder.verdicts.judging import CHECKS_PATH_ENV, EVAL_DIR_ENV

CHECKER_ROOT = "/opt/course"                     # where the checker's packages are, inside
CHECKER_PACKAGES = ("autograder", "course_utils")  # all it imports; never solutions/ or a gradebook


class UntrustedFileError(ValueError):
    """A file from the sandbox that the grader refuses to read (link, not a file, too big)."""


def copy_untrusted(root: Path, relative: str, target: Path, max_bytes: int) -> None:
    """Copy ``root/relative`` to ``target`` if it is a plain file of at most ``max_bytes``.

    Every component below ``root`` is checked with ``lstat`` (no symlinks) and
    the file is opened with ``O_NOFOLLOW``, so a link planted by student code
    can never make the grader read its own files. Anything but a regular file
    (a folder, a FIFO, a device) is refused before it is opened, and the open
    uses ``O_NONBLOCK``, so a FIFO swapped in after the check cannot make the
    grader wait for a writer. Raises FileNotFoundError or UntrustedFileError.
    """
    root = Path(root)
    parts = Path(relative).parts
    if not parts or Path(relative).is_absolute() or ".." in parts:
        raise UntrustedFileError(f"{relative} is not a path inside the submission")
    current = root
    for part in parts:
        current = current / part
        mode = os.lstat(current).st_mode  # FileNotFoundError when missing
        if stat.S_ISLNK(mode):
            raise UntrustedFileError(f"{relative} is a link, not a file")
    if not stat.S_ISREG(mode):
        raise UntrustedFileError(f"{relative} is not a regular file")
    descriptor = os.open(current, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as source:
        info = os.fstat(source.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UntrustedFileError(f"{relative} is not a regular file")
        if info.st_size > max_bytes:
            raise UntrustedFileError(f"{relative} is {info.st_size / 2**20:.0f} MiB, "
                                     f"over the {max_bytes / 2**20:.0f} MiB limit")
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as sink:
            remaining = max_bytes + 1
            while chunk := source.read(min(1 << 20, remaining)):
                sink.write(chunk)
                remaining -= len(chunk)
            if remaining <= 0:
                raise UntrustedFileError(f"{relative} grew past the size limit while being read")


def checker_sandbox(work: Path, *, data_needed: bool = True) -> tuple[Sandbox, dict[str, str]]:
    """A sandbox for a trusted checker: the two packages it runs and the data, read-only;
    network cut. Without ``data_needed`` (a served check's model process) neither the datasets
    nor the private evaluation set are bound.

    Least privilege: only ``autograder`` (the checks) and ``course_utils`` are bound, not the
    repository (no ``solutions/``, no gradebook), and the judge secret stays out: no
    artifact check draws hidden cases from it, so a model that broke out of Keras' safe mode
    would find neither. Returns the sandbox and the environment the checker needs inside it.
    """
    from course_utils import data

    sandbox = Sandbox(work)
    for package in CHECKER_PACKAGES:
        sandbox.bind_readonly(REPO_ROOT / package, f"{CHECKER_ROOT}/{package}")
    env = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
           "PYTHONPATH": CHECKER_ROOT if sandbox.mode == "bwrap" else str(REPO_ROOT),
           "COURSE_DATA_DOWNLOAD": "0"}
    if data_needed and data.data_dir().is_dir():
        env["COURSE_DATA_DIR"] = sandbox.bind_readonly(data.data_dir(), "/opt/course-data")
    private = Path(os.environ.get(EVAL_DIR_ENV, "") or "/nonexistent")
    if data_needed and private.is_dir():  # the instructor's evaluation images: here only, never in a kernel
        env[EVAL_DIR_ENV] = sandbox.bind_readonly(private, "/opt/course-evaluation")
    extra = [d for d in os.environ.get(CHECKS_PATH_ENV, "").split(os.pathsep) if d and Path(d).is_dir()]
    if extra:
        env[CHECKS_PATH_ENV] = os.pathsep.join(
            sandbox.bind_readonly(Path(d), f"/opt/course-checks/{i}") for i, d in enumerate(extra))
    return sandbox, env
