"""Decide how a notebook run ended, from what the grader itself observed.

Inputs are the grader's own: the trusted runner's status and clock
(:class:`autograder.submission.notebook_runner.NotebookRun`), the cgroup's counters (OOM
kills, refused forks) and the work folder's size. The student's kernel can
only add *outputs* (an error in a cell), which may take points away (a
``MemoryError`` names the memory bound) but never decide a pass. A zero names
the cell where the run stopped by the exercise it belongs to, and the bound
that was hit, in words a student can act on.
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass

from nbformat import NotebookNode

from autograder.records.results import Outcome
from autograder.isolation.sandbox import Limits

MEMORY_ERRORS = {"MemoryError", "ResourceExhaustedError", "OutOfMemoryError"}
# In the kernel's stderr when it died for lack of memory (where no cgroup counts OOM
# kills); under RLIMIT_AS a thread stack cannot be mapped, so TF aborts on pthread_create.
_MEMORY_HINTS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "Resource exhausted",
                 "OOM when allocating", "pthread_create() failed")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)


@dataclass(frozen=True)
class Observed:
    """What the grader saw of a run besides the runner's status (see module doc)."""

    oom_kills: int = 0
    forks_refused: int = 0
    folder_full: bool = False
    memory_bounded_by_cgroup: bool = False
    shadowing: tuple[str, ...] = ()   # the submission's top-level .py files and packages


@dataclass(frozen=True)
class RunVerdict:
    outcome: Outcome
    reason: str = ""


def errors(nb: NotebookNode) -> list[tuple[int, str | None, str, str]]:
    """``(cell index, grade_id, ename, evalue)`` of every error output."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) or []:
            if output.get("output_type") == "error":
                grade_id = (cell.get("metadata", {}).get("nbgrader", {}) or {}).get("grade_id")
                found.append((index, grade_id, str(output.get("ename", ""))[:200],
                              str(output.get("evalue", ""))[:500]))
    return found


def heading_above(nb: NotebookNode, index: int) -> tuple[str | None, int]:
    """The last markdown heading at or above cell ``index`` (None if there is none), and how many
    code cells from it down to ``index`` (the cell itself included): where a student finds the cell."""
    code_cells = 0
    for cell in nb.cells[index::-1]:
        if cell.get("cell_type") == "markdown":
            titles = _HEADING.findall(str(cell.get("source", "")))
            if titles:
                return titles[-1], code_cells
        elif cell.get("cell_type") == "code":
            code_cells += 1
    return None, code_cells


def cell_label(nb: NotebookNode, index: int | None) -> str:
    """Where cell ``index`` is, as a student finds it: " (the 2nd code cell under 'Exercise 1.3 …')"."""
    if index is None or not 0 <= index < len(nb.cells):
        return ""
    heading, code_cells = heading_above(nb, index)
    nth = {1: "1st", 2: "2nd", 3: "3rd"}.get(code_cells, f"{code_cells}th")
    if heading is None:
        return f" (the {nth} code cell of the notebook)"
    return f" (the {nth} code cell under “{heading[:80]}”)"


def classify(status: str, cell: int | None, kernel_exit: int | None, stderr: str,
             executed: NotebookNode, observed: Observed, limits: Limits) -> RunVerdict:
    """The outcome of a run (GRADED when it completed within every bound)."""
    where = cell_label(executed, cell)
    memory = f"{limits.memory_bytes / 2**30:.1f} GiB"
    if observed.folder_full:
        return RunVerdict(Outcome.OUTPUT_LIMIT, f"The notebook wrote more than {limits.disk_bytes / 2**20:.0f} MiB "
                                                f"or {limits.disk_entries} files into its folder{where}.")
    if observed.oom_kills:  # first: a run that hung after a process was killed for memory ran out of memory
        return RunVerdict(Outcome.OUT_OF_MEMORY, f"The notebook used more than the {memory} of memory allowed "
                                                 f"(all its processes together){where}.")
    bound = (f"; it had also reached the bound of {limits.processes} processes and threads"
             if observed.forks_refused else "")
    if status == "wall_timeout":
        return RunVerdict(Outcome.TIMEOUT, f"The notebook did not finish within the {limits.wall_seconds:.0f} s "
                                           f"allowed for the whole run; it was still running{where}{bound}.")
    if status == "cell_timeout":
        return RunVerdict(Outcome.TIMEOUT, f"A cell ran longer than the {limits.cell_seconds} s allowed per "
                                           f"cell{where}" + (f"{bound}." if bound else ": an endless loop, or training at grading time?"))
    if kernel_exit in (-signal.SIGXCPU, 128 + signal.SIGXCPU):
        return RunVerdict(Outcome.TIMEOUT, f"The kernel used more than {limits.cpu_limit()} s of CPU time{where}.")
    if any(ename in MEMORY_ERRORS for _, _, ename, _ in errors(executed)):
        return RunVerdict(Outcome.OUT_OF_MEMORY, f"The notebook ran out of memory (the limit is {memory}).")
    if status == "kernel_died":
        if observed.forks_refused:
            return RunVerdict(Outcome.KERNEL_DIED, f"The Python kernel died{where} after reaching the bound of "
                                                   f"{limits.processes} processes and threads.")
        if not observed.memory_bounded_by_cgroup and any(h in stderr for h in _MEMORY_HINTS):
            return RunVerdict(Outcome.OUT_OF_MEMORY, f"The kernel died running out of memory{where} "
                                                     f"(the limit is {memory}, {limits.processes} threads).")
        how = f" (exit code {kernel_exit})" if isinstance(kernel_exit, int) else ""
        return RunVerdict(Outcome.KERNEL_DIED, f"The Python kernel died{where}{how}; a notebook whose "
                                               "kernel dies gets no points.")
    if status != "completed":
        if observed.shadowing:  # the student's own modules can stop a kernel from starting
            names = ", ".join(observed.shadowing[:5])
            return RunVerdict(Outcome.KERNEL_DIED, "The Python kernel did not start; files in your folder that "
                                                   f"Python may import instead of its own modules ({names}) "
                                                   "can cause this: rename them.")
        return RunVerdict(Outcome.GRADER_ERROR, "The grader could not start a Python kernel for this notebook "
                                                "(not your fault; a TA will look at it).")
    return RunVerdict(Outcome.GRADED)


def grade_ids_before(executed: NotebookNode | None, cell: int | None) -> set[str]:
    """The grade ids of the cells that finished before cell ``cell`` ran out of time.

    A timeout costs only what did not run: a grade cell that completed before it (and the
    functions it handed over, the files it checked for) is judged as in a finished run.
    None (the kernel never ran a cell) reaches nothing.
    """
    if executed is None or cell is None:
        return set()
    found = set()
    for source in executed.cells[:cell]:
        grade_id = (source.get("metadata", {}).get("nbgrader", {}) or {}).get("grade_id")
        if grade_id and source.get("cell_type") in ("code", "markdown"):
            found.add(grade_id)
    return found


def in_course_words(error: str) -> str:
    """A grade cell's error without the class name of the course's own exceptions (CheckFailed, NotAttempted)."""
    kind, _, text = error.partition(": ")
    return text if kind in ("CheckFailed", "NotAttempted") and text else error
