"""What a TA should look at first in a class: the report's "needs attention" list.

From what the gradebook holds (each :class:`~autograder.records.results.SubmissionResult`) and
the executed notebooks the grader kept (``OUT/executed/<student>.ipynb``):

- **tampering**: the outcome the grader decided (changed points, a harness that saw interference);
- **escape attempts**, flagged for review even when the walls blocked them and they cost nothing:
  the student's own cells (not the course's locked or grade cells) that reach for the network,
  start processes, or name files outside their folder (the solutions, the checks, the gradebook),
  and what the sandbox answered (``PermissionError``, an unreachable network). A signal for a
  person, never a grade: nothing here changes a verdict;
- **code the grader ignored**: the folder's own copy of a course module (notes of the run);
- **grader errors** (ours), **timeouts** (what ran before kept its points), **memory** and
  **crashed kernels**;
- **possible memorisers**: a saved model far better on the public test split it was scored on than
  on images like it (the verdict's note for the TA, :mod:`autograder.checks._memoriser`; points unchanged);
- **outliers**: a run far slower, or far hungrier, than the class (Tukey's far-out fence,
  Q3 + 3 IQR, and at least twice the median; only with 8 runs or more).
"""

from __future__ import annotations

import os
import re
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from autograder.records.results import Outcome, SubmissionResult

MIN_CLASS_FOR_OUTLIERS = 8
MAX_NOTEBOOK_BYTES = 20 * 2**20   # a kept executed notebook larger than this is not scanned

# Kinds, most serious first (the list is sorted by this order, then by student).
KINDS = ("tampering", "escape attempt", "grader error", "timeout", "out of memory", "kernel died",
         "possible memoriser", "slow outlier", "memory outlier")

_NETWORK = re.compile(r"\b(import\s+(socket|urllib\w*|requests|http\.client|ftplib|smtplib|paramiko)\b"
                      r"|from\s+(socket|urllib\w*|requests|http)\b|socket\.(socket|create_connection)\s*\("
                      r"|urlopen\s*\(|requests\.(get|post)\s*\()")
_PROCESS = re.compile(r"\b(import\s+(subprocess|pty|ctypes)\b|from\s+(subprocess|ctypes)\b|os\.(system|popen|exec\w*"
                      r"|fork|spawn\w*|kill)\s*\(|subprocess\.)")
_OUTSIDE = re.compile(r"""["'][^"'\n]*(solutions/|/autograder|gradebook|/etc/|/proc/|/root\b|/home/|\.\./)"""
                      r"""[^"'\n]*["']|\b(listdir|chdir|scandir|walk)\s*\(\s*["']\.\.["']""")
_BLOCKED = re.compile(r"(PermissionError|FileNotFoundError|Operation not permitted|Network is unreachable|gaierror"
                      r"|Temporary failure in name resolution|Name or service not known|Read-only file system"
                      r"|ConnectionRefusedError|\bOSError\b)")


@dataclass(frozen=True)
class Flag:
    """One reason to look at one student's submission."""

    student: str
    kind: str            # one of KINDS
    detail: str          # plain words, what the grader saw
    cost: str            # what it cost the student ("nothing: flagged for review", "zero", ...)
    notebook: str = ""   # link (relative to the report) to the executed notebook, when kept
    feedback: str = ""   # link to the student's feedback page, when written

    @property
    def rank(self) -> int:
        return KINDS.index(self.kind)


def _student_cells(path: Path):
    """``(where, source, outputs text)`` of the cells the student wrote (neither locked nor grade cells);
    ``where`` as a student finds the cell ("the 2nd code cell under 'Exercise 1.3 …'")."""
    import nbformat

    from autograder.submission.outcomes import cell_label

    if not path.is_file() or path.is_symlink() or path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return
    try:
        notebook = nbformat.read(str(path), as_version=4)
    except Exception:  # noqa: BLE001 - an unreadable kept notebook: nothing to scan
        return
    for index, cell in enumerate(notebook.cells):
        meta = (cell.get("metadata", {}) or {}).get("nbgrader", {}) or {}
        if cell.get("cell_type") != "code" or meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            continue
        outputs = " ".join(str(o.get("text", "")) + " " + str(o.get("ename", "")) + " " + str(o.get("evalue", ""))
                           for o in cell.get("outputs", []) or [])
        yield cell_label(notebook, index).strip(" ()"), str(cell.get("source", "")), outputs


def escape_signals(executed: Path | None) -> str:
    """What the student's own cells reached for outside their sandbox, in words ('' when nothing)."""
    if executed is None:
        return ""
    found: dict[str, list[str]] = {}
    blocked: set[str] = set()
    for where, source, outputs in _student_cells(Path(executed)):
        code = "\n".join(line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
                         for line in source.splitlines())
        for what, pattern in (("the network", _NETWORK), ("processes or native code", _PROCESS),
                              ("files outside its folder", _OUTSIDE)):
            if pattern.search(code):
                found.setdefault(what, []).append(where)
        blocked.update(match.group(1) for match in _BLOCKED.finditer(outputs))
    if not found:
        return ""
    parts = [f"{what} ({'; '.join(cells[:3])}{' …' if len(cells) > 3 else ''})" for what, cells in found.items()]
    text = "the student's code reaches for " + "; ".join(parts)
    if blocked:
        text += "; the sandbox answered " + ", ".join(sorted(blocked))
    return text + "."


def _fence(values: Sequence[float]) -> float | None:
    """Above this a value is far out (Q3 + 3 IQR and twice the median), or None for a small class."""
    if len(values) < MIN_CLASS_FOR_OUTLIERS:
        return None
    first, median, third = statistics.quantiles(values, n=4, method="inclusive")
    return max(third + 3 * (third - first), 2 * median)


def _link(path: str | Path | None, report_dir: Path) -> str:
    """The executed notebook's page relative to the report (its ``.html`` when written, else the ``.ipynb``)."""
    if not path or not Path(path).is_file():
        return ""
    page = Path(path).with_suffix(".html")
    return os.path.relpath(page if page.is_file() else path, report_dir)


def needs_attention(results: Sequence[SubmissionResult], report_dir: Path,
                    feedback_dir: Path | None = None) -> list[Flag]:
    """Every flag of the class, most serious kind first (see the module doc)."""
    flags: list[Flag] = []
    runs = [r for r in results if r.outcome is not Outcome.TIMEOUT and r.seconds > 0]
    slow = _fence([r.seconds for r in runs])
    memories = [r.peak_memory_bytes for r in results if r.peak_memory_bytes]
    hungry = _fence(memories)
    median_seconds = statistics.median([r.seconds for r in runs]) if runs else 0.0
    median_memory = statistics.median(memories) if memories else 0
    for result in results:
        page = Path(feedback_dir) / result.student / "feedback.html" if feedback_dir else None

        def flag(kind: str, detail: str, cost: str) -> None:
            flags.append(Flag(result.student, kind, detail, cost, _link(result.executed_notebook, report_dir),
                              _link(page, report_dir)))

        kept = sum(t.score for t in result.tests) if result.outcome.keeps_item_scores else 0.0
        if result.outcome is Outcome.TAMPERING:
            flag("tampering", result.reason, "zero")
        escape = escape_signals(Path(result.executed_notebook) if result.executed_notebook else None)
        ignored = [n for n in result.notes if n.startswith("The folder's own copy of")]
        if escape or ignored:
            flag("escape attempt", " ".join([escape, *ignored]).strip(),
                 "nothing: flagged for review" if result.outcome is Outcome.GRADED else f"outcome {result.outcome.value}")
        if result.outcome is Outcome.GRADER_ERROR:
            flag("grader error", result.reason, "zero for now: regrade it once the cause is fixed")
        elif result.outcome is Outcome.TIMEOUT:
            flag("timeout", result.reason, f"the tests it stopped; kept {kept:g} / {result.max_score:g}")
        elif result.outcome is Outcome.OUT_OF_MEMORY:
            flag("out of memory", result.reason, "zero")
        elif result.outcome is Outcome.KERNEL_DIED:
            flag("kernel died", result.reason, "zero")
        for note in result.ta_notes:
            flag("possible memoriser", note, "nothing: flagged for review")
        if slow is not None and result.outcome is not Outcome.TIMEOUT and result.seconds > slow:
            flag("slow outlier", f"graded in {result.seconds:.0f} s; the class's median is {median_seconds:.0f} s.",
                 "nothing")
        if (hungry is not None and result.peak_memory_bytes and result.peak_memory_bytes > hungry
                and result.outcome is not Outcome.OUT_OF_MEMORY):   # already flagged above
            flag("memory outlier", f"peak memory {result.peak_memory_bytes / 2**20:.0f} MiB; the class's median is "
                                   f"{median_memory / 2**20:.0f} MiB.", "nothing")
    return sorted(flags, key=lambda f: (f.rank, f.student))
