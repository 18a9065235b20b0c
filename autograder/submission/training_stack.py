"""Where each graded artifact says it was trained, for the TA: Keras, TensorFlow, backend, dtype
policy and device, from the sidecar JSON that ``course_utils.training.save_artifact`` wrote.

Why: a model trained under another Keras release, ``mixed_float16`` or the JAX backend is graded
like any other (``benchmarks/kit_compatibility*.py``), but a TA looking at an odd grade needs to
see the stack at once. The sidecar is the student's claim (written in the student's process): it
is shown beside the grade and never read by a check. It is read as the grader reads every file
from a student: a plain file (no link, FIFO or folder) within :data:`SIDECAR_BYTES`.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterable
from pathlib import Path

from course_utils.artifacts import describe_sidecar, metadata_path
from autograder.records.results import printable
from autograder.submission.references import Reference
from autograder.verdicts.judging import ArtifactCheck

SIDECAR_BYTES = 64 * 1024  # save_artifact's sidecars are about 1 KB; a history of many epochs stays far below


def describe(artifact: Path) -> str | None:
    """One line of ``artifact``'s sidecar (:func:`describe_sidecar`); None when the artifact is absent."""
    if not artifact.is_file() or artifact.is_symlink():
        return None
    sidecar = metadata_path(artifact)
    try:
        facts = sidecar.lstat()
    except OSError:
        return "no sidecar (saved without course_utils.training.save_artifact)"
    if not stat.S_ISREG(facts.st_mode) or facts.st_size > SIDECAR_BYTES:
        return f"sidecar not read (not a plain file of at most {SIDECAR_BYTES // 1024} KiB)"
    try:
        record = json.loads(sidecar.read_text(encoding="utf-8"))
        line = describe_sidecar(record) if isinstance(record, dict) else None
    except (OSError, ValueError, TypeError, AttributeError):
        line = None
    return printable(line, 200) if line else "sidecar unreadable (not the JSON save_artifact writes)"


def training_stacks(folder: Path, artifacts: Iterable[str]) -> dict[str, str]:
    """``{artifact name: its stack line}`` for each of ``artifacts`` present in ``folder``."""
    described = {name: describe(Path(folder) / name) for name in dict.fromkeys(artifacts)}
    return {name: line for name, line in described.items() if line is not None}


def for_reference(folder: Path, ref: Reference) -> dict[str, str]:
    """:func:`training_stacks` of the files ``ref``'s artifact checks load from ``folder``."""
    return training_stacks(folder, (item.check.path for item in ref.items if isinstance(item.check, ArtifactCheck)))


def summary(stacks: dict[str, str]) -> str:
    """The report's cell: one line when every artifact shares its stack, else ``name: line`` each."""
    lines = set(stacks.values())
    if len(lines) <= 1:
        return next(iter(lines), "")
    return "; ".join(f"{name}: {line}" for name, line in stacks.items())
