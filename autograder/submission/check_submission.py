"""``course check-submission DIR``: what a student runs before submitting a folder.

It answers the questions whose answer would otherwise come back as a zero a week later,
and nothing else (no hidden check is run, so it is no oracle for the grade):

1. Is the assignment's notebook there, named as the grader expects, and readable?
2. Is every file the grader loads (the ``path`` of each artifact check) there?
3. Does each of them load as the grader loads it (``course_utils.training.load_artifact``:
   ``safe_mode=True``, no Lambda layer, no pickle), in a fresh process?
4. Does the notebook run top to bottom in the grader's sandbox within the assignment's
   default bounds (``autograder.isolation.limits``), without training (the grader never trains),
   and which cells fail there?

Each finding is one line, ✓ or ✗, with what to do; the exit status is 0 when all pass.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import nbformat

from autograder.sources import handin
from autograder.verdicts import function_judge
from autograder.isolation.limits import default_limits
from autograder.submission.outcomes import cell_label, errors
from autograder.records.results import Outcome
from autograder.isolation.sandbox import Limits
from autograder.isolation.workfolder import WorkFolder
from course_utils.check_submission import Finding, load_problem  # the student's check: one loader, one line format

def guess_assignment(folder: Path, known: list[str]) -> str | None:
    """The known assignment whose notebook ``folder`` holds (``NN_topic.ipynb``), if exactly one."""
    present = [name for name in known if (folder / f"{name}.ipynb").is_file()]
    return present[0] if len(present) == 1 else None


def _artifact_paths(assignment: str) -> list[str]:
    """The checks' files, then those the notebook's cells load (the one list: sources.handin)."""
    return handin.files_to_hand_in(assignment)


def check_files(folder: Path, assignment: str) -> list[Finding]:
    """Findings 1-3: the notebook, the artifacts the grader loads, and whether each loads safely."""
    from autograder.submission.grade import locate_notebook, read_submitted

    notebook_name = f"{assignment}.ipynb"
    path, renamed = locate_notebook(folder, notebook_name)
    _, failure, why = read_submitted(path, Limits())
    findings = [Finding(False, why) if failure else
                Finding(False, renamed) if renamed else Finding(True, f"{notebook_name} is there and opens")]
    for relative in _artifact_paths(assignment):
        artifact = folder / relative
        if not artifact.is_file():
            findings.append(Finding(False, f"{relative} is missing: run the notebook cell that saves it and keep the "
                                           "file next to the notebook (the grader loads it; it never trains)."))
            continue
        problem = load_problem(artifact)
        findings.append(Finding(True, f"{relative} loads as the grader loads it (safe mode)") if problem is None
                        else Finding(False, f"{relative} does not load: {problem}"))
    return findings


def check_run(folder: Path, assignment: str, limits: Limits) -> list[Finding]:
    """Finding 4: the notebook run as the grader runs it (sandbox, bounds, no training)."""
    from autograder.submission.grade import copy_submission, execute_sandboxed, locate_notebook, read_submitted
    from course_utils.runtime import profile

    notebook_name = f"{assignment}.ipynb"
    path, _ = locate_notebook(folder, notebook_name)
    notebook, failure, _ = read_submitted(path, limits)
    if failure is not None:
        return []  # already reported by check_files
    with WorkFolder(limits.submission_bytes + limits.disk_bytes, 1 << 22) as work:
        copy_submission(folder, work.path, limits, path.name)
        nbformat.write(notebook, str(work.path / notebook_name))
        function_judge.prepare(work.path)
        work.seal(limits.disk_bytes, limits.disk_entries)
        execution = execute_sandboxed(work, notebook, profile(), limits)
    run, verdict = execution.run, execution.verdict
    bounds = f"limits {limits.wall_seconds:.0f} s, {limits.memory_bytes / 2**30:.1f} GiB"
    if verdict.outcome is not Outcome.GRADED:
        return [Finding(False, f"the notebook does not run to the end in the grader's sandbox: {verdict.reason}")]
    findings = []
    peak = f", peak memory {execution.peak_memory / 2**30:.2f} GiB" if execution.peak_memory else ""
    failing = errors(run.executed)
    if failing:
        for index, _, ename, evalue in failing[:10]:
            first = (evalue.strip().splitlines() or [""])[0][:200]
            findings.append(Finding(False, f"a cell fails{cell_label(run.executed, index)}: {ename}: {first}"))
    findings.append(Finding(not failing, f"the notebook ran top to bottom in the grader's sandbox, without training "
                                         f"({bounds}{peak})" + (f", with {len(failing)} failing cell(s) above"
                                                                if failing else "")))
    return findings


def weaker_walls() -> list[Finding]:
    """What this machine's sandbox cannot enforce that the grader's does (said, not failed)."""
    from autograder.isolation import walls

    assessed = walls.assess()
    return [Finding(True, f"this run's sandbox is weaker than the grader's: {note}")
            for note in [*assessed.missing(), *assessed.notes()]]


def check_submission(folder: Path, assignment: str, *, run: bool = True,
                     memory_gb: float | None = None) -> list[Finding]:
    """Every finding for ``folder`` (a student's submission folder) as ``assignment``.

    memory_gb: the run's memory bound instead of the grader's default for ``assignment``.
    """
    findings = check_files(folder, assignment)
    if run:
        limits = default_limits(assignment)
        if memory_gb:
            limits = replace(limits, memory_bytes=int(memory_gb * 2**30))
        findings += weaker_walls() + check_run(folder, assignment, limits)
    return findings
