"""The checks behind ``course validate``: each one a small function returning a CheckResult.

The functions here only *inspect* notebooks, files and executions; generating
the release and running kernels is ``release.validate``'s job. Each result
names what was checked, every problem found, and what to do about it, so that
``ValidationReport.render()`` reads as a to-do list.
"""

from __future__ import annotations

import ast

import filecmp
import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from nbformat import NotebookNode

from autograder.sources import notebooks as nbu
from autograder.records.results import Outcome, SubmissionResult

MAX_PROBLEMS_SHOWN = 12


@dataclass(frozen=True)
class CheckResult:
    """One line of the validation report.

    title: what was verified, phrased so that ✓ reads as a fact.
    problems: one entry per failure found (empty when it passed).
    fix: what to do when it failed.
    """

    title: str
    problems: tuple[str, ...] = ()
    fix: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ValidationReport:
    """Every check of one assignment; ``ok`` only if all passed."""

    assignment: str
    profile: str
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def render(self) -> str:
        """A per-check ✓/✗ list; each failure lists its problems and the fix."""
        failed = sum(not r.ok for r in self.results)
        verdict = "OK" if self.ok else f"FAILED ({failed} of {len(self.results)} checks)"
        lines = [f"{self.assignment} [profile {self.profile}]: validation {verdict}"]
        for result in self.results:
            lines.append(f"  {'✓' if result.ok else '✗'} {result.title}")
            if result.ok:
                continue
            for problem in result.problems[:MAX_PROBLEMS_SHOWN]:
                lines.append(f"      - {problem}")
            if len(result.problems) > MAX_PROBLEMS_SHOWN:
                lines.append(f"      - … and {len(result.problems) - MAX_PROBLEMS_SHOWN} more")
            if result.fix:
                lines.append(f"      → {result.fix}")
        return "\n".join(lines)


def check_clean_sources(paths: Sequence[Path]) -> CheckResult:
    """(1) Source notebooks carry no outputs, no execution counts, and stable cell ids."""
    problems = []
    for path in paths:
        nb = nbu.read(path)
        for index, cell in enumerate(nb.cells):
            label = f"{path.name} {nbu.cell_label(index, cell)}"
            if "id" not in cell:
                problems.append(f"{label} has no cell id (nbformat < 4.5), so every release would differ")
            if cell.cell_type != "code":
                continue
            if cell.get("outputs"):
                problems.append(f"{label} has saved outputs")
            if cell.get("execution_count") is not None:
                problems.append(f"{label} has an execution count")
    return CheckResult(
        "solutions/ notebooks have cleared outputs",
        tuple(problems),
        "clear them: `jupyter nbconvert --clear-output --inplace <notebook>` "
        "(or Kernel → Restart & Clear Output, then save).",
    )


def check_source_runs(name: str, execution: nbu.Execution) -> CheckResult:
    """(2) The source ran top to bottom without an error, so every test cell passed."""
    problems = []
    if execution.crash:
        problems.append(f"{name}: execution stopped: {execution.crash}")
    for index, cell in enumerate(execution.notebook.cells):
        if cell.cell_type == "code" and nbu.error_outputs(cell):
            kind = "test cell fails" if nbu.is_test_cell(cell) else "raised"
            problems.append(f"{name} {nbu.cell_label(index, cell)} {kind}: {nbu.describe_error(cell)}")
    return CheckResult(
        "the source notebook runs top to bottom and passes all its test cells",
        tuple(problems),
        "fix the first failing cell of the source notebook (later errors often follow from it); "
        "run it yourself in solutions/ with the same COURSE_PROFILE.",
    )


# Terminal control characters a stream output must not carry: a progress bar's backspaces and bare
# carriage returns, and ANSI colour codes, show as rows of junk in exported HTML.
_CONTROL = re.compile(r"\x08|\r(?!\n)|\x1b\[")


def check_clean_outputs(name: str, execution: nbu.Execution) -> CheckResult:
    """(2b) The executed source's printed outputs hold no TensorFlow log lines and no terminal
    control characters, so the notebook a student sees (and its HTML export) shows neither."""
    from course_utils.quiet import is_noise

    problems = []
    for index, cell in enumerate(execution.notebook.cells):
        outputs = cell.get("outputs", []) if cell.cell_type == "code" else []
        texts = [output.get("text", "") for output in outputs if output.get("output_type") == "stream"]
        text = "".join("".join(t) if isinstance(t, list) else t for t in texts)
        noise = next((line for line in text.splitlines() if is_noise(line)), None)
        if noise is not None:  # one line per cell and kind, however often it prints
            problems.append(f"{name} {nbu.cell_label(index, cell)} prints TensorFlow's log line {noise[:90]!r}")
        controls = sorted(set(_CONTROL.findall(text)))
        if controls:
            problems.append(f"{name} {nbu.cell_label(index, cell)} prints control characters "
                            f"{', '.join(map(repr, controls))} (a progress bar?)")
    return CheckResult(
        "the source notebook prints no TensorFlow log lines and no terminal control characters",
        tuple(problems),
        "import course_utils before TensorFlow in the first cell (it filters TensorFlow's log lines), and "
        "train with verbose=2 (one line per epoch) or verbose=0 instead of a progress bar.",
    )


def restore_hidden_tests(blank: NotebookNode, source: NotebookNode) -> NotebookNode:
    """Put the source's test cells (hidden tests included) back into a blank release.

    This is what nbgrader's autograde does (OverwriteCells), so executing the
    result shows how an unanswered submission is graded.
    """
    by_id = {nbu.grade_id(cell): cell for cell in source.cells if nbu.is_test_cell(cell)}
    for cell in blank.cells:
        if nbu.is_test_cell(cell) and nbu.grade_id(cell) in by_id:
            cell.source = by_id[nbu.grade_id(cell)].source
    return blank


def check_blank_fails(name: str, execution: nbu.Execution) -> CheckResult:
    """(3) Every test cell fails on the blank release (hidden tests restored)."""
    problems = []
    if execution.crash:
        problems.append(f"{name}: execution of the blank stopped: {execution.crash}")
    else:
        for index, cell in nbu.test_cells(execution.notebook):
            if not nbu.error_outputs(cell):
                problems.append(f"{name} {nbu.cell_label(index, cell)} passes on the blank release")
    return CheckResult(
        "the blank release fails every graded test cell",
        tuple(problems),
        "a test cell that passes without an answer gives free points: make it call the "
        "student's function (visible asserts and the hidden judge.submit) so the stub's "
        "NotImplementedError fails it.",
    )


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_COURSE_FRAME = re.compile(r"course_utils[/\\]\w+\.py")


def check_blank_speaks_plainly(name: str, execution: nbu.Execution) -> CheckResult:
    """(3b) On the blank release a student sees one line per unfinished exercise: no traceback
    through ``course_utils`` in any cell, and no self-check cell that fails (which would stop
    *Run All*; ``course_utils.tutor`` softens the cells that start with ``# Self-check``)."""
    from course_utils.tutor import SELF_CHECK_MARK

    problems = []
    for index, cell in enumerate(execution.notebook.cells):
        if cell.cell_type != "code":
            continue
        for output in nbu.error_outputs(cell):
            lines = [_ANSI.sub("", line) for line in output.get("traceback", [])]
            label = f"{name} {nbu.cell_label(index, cell)}"
            cascade = output.get("ename") == "NameError"  # a name an unfinished cell above never defined
            # A frame in a course_utils file ("File …/course_utils/plotting.py:386, in …"), not the cell's
            # own source quoted in the traceback ("from course_utils import judge").
            if len(lines) > 1 and not cascade and any(_COURSE_FRAME.search(line) for line in lines):
                problems.append(f"{label} shows a {len(lines)}-line traceback through course_utils "
                                f"({output.get('ename')}: {str(output.get('evalue', ''))[:120]})")
            elif cell.source.startswith(SELF_CHECK_MARK):
                problems.append(f"{label} is a self-check that fails on the blank ({output.get('ename')}), "
                                "so Run All stops there")
    return CheckResult(
        "the blank release shows one line per unfinished exercise (no course_utils traceback, no failing "
        "self-check)",
        tuple(problems),
        "give the exception course_utils raises a one-line _render_traceback_ (as CheckFailed and "
        "ArtifactError have), and make a self-check cell depend only on the exercise it checks.",
    )


def check_graded_end_to_end(assignment: str, solution: SubmissionResult, shipped: Sequence[str],
                            limits_text: str) -> CheckResult:
    """(7) Graded by ``course grade`` (real sandbox, default bounds): the source with the
    artifacts its run saved gets full marks; and the blank release holds none of the files the
    artifact checks judge (``shipped``: those it does hold).

    Why the blank is not graded here too: with (3) holding, it cannot earn points. Every grade
    cell raises on it, and the grader never judges a function whose grade cell raised; an
    artifact check judges only a file in the submission, and a blank has only what the release
    shipped. Grading it in the sandbox again cost a whole notebook run per week.
    """
    problems = []
    if solution.outcome is not Outcome.GRADED:
        problems.append(f"the source got {solution.outcome.value}: {solution.reason}")
    else:
        problems += [f"the source lost points on {t.id}: {t.message}" for t in solution.tests
                     if t.kind != "manual" and t.score < t.points]
    problems += [f"the release ships {path}, which a check judges as the student's: a blank submission "
                 "would be graded on it" for path in shipped]
    return CheckResult(
        f"graded end to end (sandbox, default bounds {limits_text}): source full marks, and the blank "
        "ships no checked file",
        tuple(problems),
        "a source that loses points on a function check fails its hidden cases (they are judged here, "
        "not in the source run: see the message); one that passes in Jupyter but not here needs more memory or "
        "time (autograder/isolation/limits.py, with the measured peak) or a check that reads what the notebook "
        "really saves; a checked file in the release needs another name, or must not ship.")


def check_no_leaks(sources: Sequence[tuple[str, NotebookNode]],
                   releases: Sequence[tuple[str, NotebookNode]]) -> CheckResult:
    """(4) No non-trivial solution or hidden-test line of the sources appears in a release."""
    secrets: dict[str, str] = {}
    for name, nb in sources:
        for index, cell in enumerate(nb.cells):
            for line in nbu.secret_lines(cell):
                if not nbu.is_trivial(line):
                    secrets.setdefault(line.strip(), f"{name} {nbu.cell_label(index, cell)}")
    problems = []
    for name, nb in releases:
        for index, cell in enumerate(nb.cells):
            for line in cell.source.splitlines():
                origin = secrets.get(line.strip())
                if origin:
                    problems.append(f"{name} {nbu.cell_label(index, cell)} contains "
                                    f"`{line.strip()}` (secret line of {origin})")
    return CheckResult(
        "no solution or hidden-test text appears in the release",
        tuple(problems),
        "keep answers between ### BEGIN/END SOLUTION and hidden tests between "
        "### BEGIN/END HIDDEN TESTS only (never repeat them in other cells), then `course release`.",
    )


def _files(folder: Path, ignore: Sequence[str]) -> dict[str, Path]:
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(fnmatch.fnmatch(part, pattern)
                                      for part in relative.parts for pattern in ignore):
            found[relative.as_posix()] = path
    return found


def check_in_sync(assignment: str, checked_in: Path, fresh: Path, ignore: Sequence[str]) -> CheckResult:
    """(5) The checked-in release equals a fresh generation, file by file, byte for byte."""
    problems = []
    if not checked_in.is_dir():
        problems.append(f"{checked_in} does not exist")
    else:
        ours, theirs = _files(checked_in, ignore), _files(fresh, ignore)
        for relative in sorted(ours.keys() | theirs.keys()):
            if relative not in ours:
                problems.append(f"{relative} is missing from the checked-in release")
            elif relative not in theirs:
                problems.append(f"{relative} is in the checked-in release but not generated from solutions/")
            elif not filecmp.cmp(ours[relative], theirs[relative], shallow=False):
                problems.append(f"{relative} differs from a fresh generation")
    return CheckResult(
        "the checked-in release is in sync with solutions/",
        tuple(problems),
        f"regenerate it with `course release {assignment}` and commit assignments/{assignment}/.",
    )


def _assigned_names(nb: NotebookNode) -> dict[str, str]:
    """Module-level ``NAME = "string"`` assignments of a notebook's code cells (e.g. ASSIGNMENT)."""
    names: dict[str, str] = {}
    for cell in nb.cells:
        try:
            tree = ast.parse(cell.source) if cell.cell_type == "code" else None
        except SyntaxError:
            continue
        for node in tree.body if tree else ():
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)):
                names.update({target.id: node.value.value for target in node.targets if isinstance(target, ast.Name)})
    return names


def _judge_call_problems(label: str, source: str, assignment: str, check_id: str, names: dict[str, str]) -> list[str]:
    """Why the ``judge.submit``/``judge.submit_artifact`` calls of a test cell do not name
    ``(assignment, check_id)`` (a copied cell that still says another week's name grades nothing)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"{label} does not parse: {exc.msg} (line {exc.lineno})"]
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in ("submit", "submit_artifact") and getattr(node.func.value, "id", "") == "judge"]
    problems = []
    for call in calls:
        values = []
        for argument in call.args[:2]:
            if isinstance(argument, ast.Constant):
                values.append(argument.value)
            else:
                values.append(names.get(getattr(argument, "id", ""), ast.unparse(argument)))
        if values[:2] != [assignment, check_id]:
            problems.append(f"{label} calls judge.{call.func.attr}({', '.join(map(repr, values))}, …); "
                            f"it must name ({assignment!r}, {check_id!r})")
    return problems


def check_grading_contract(assignment: str, sources: Sequence[tuple[str, NotebookNode]],
                           checks: Sequence | None, load_error: str | None = None) -> CheckResult:
    """(6) Test cells ``test_<id>`` and hidden checks ``<id>`` match one to one, points equal,
    and each test cell's ``judge.submit`` names this assignment and its own check."""
    problems = [] if load_error is None else [f"autograder/checks/{assignment}.py: {load_error}"]
    by_id = {check.id: check for check in checks or ()}
    seen = set()
    for name, nb in sources:
        names = _assigned_names(nb)
        for index, cell in nbu.test_cells(nb):
            gid = nbu.grade_id(cell) or ""
            label = f"{name} {nbu.cell_label(index, cell)}"
            if not gid.startswith("test_"):
                problems.append(f"{label}: a test cell's grade_id must be test_<check id>")
                continue
            check_id = gid[len("test_"):]
            seen.add(check_id)
            problems += _judge_call_problems(label, cell.source, assignment, check_id, names)
            check = by_id.get(check_id)
            points = float(nbu.nbgrader_meta(cell).get("points", 0))
            if check is None:
                problems.append(f"{label} has no hidden check {check_id!r} in autograder/checks/{assignment}.py")
            elif abs(float(check.points) - points) > 1e-9:
                problems.append(f"{label} is worth {points:g} points but check {check_id!r} "
                                f"is worth {float(check.points):g}")
    for check_id in sorted(by_id.keys() - seen):
        problems.append(f"check {check_id!r} in autograder/checks/{assignment}.py has no test cell test_{check_id}")
    return CheckResult(
        "every test cell has a hidden check with the same points, and vice versa, and names it in judge.submit",
        tuple(problems),
        "name each test cell test_<id>, give it exactly one check <id> in "
        f"autograder/checks/{assignment}.py with the same points, call judge.submit(ASSIGNMENT, \"<id>\", …) "
        "in it, and remove orphans.",
    )
