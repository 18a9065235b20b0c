"""Does every hidden function check give each corpus answer the verdict its header expects?

``tests/answers/<NN_topic>/<entry>.py`` holds the functions one answer replaces:
a right alternative a student might write (``# expect: pass``) or a plausible
mistake (``# expect: fail <check_id> [<check_id> ...]``: those checks fail,
every other check the entry touches passes), optionally with ``# says: <words>``: the
words the self-check's one-line message must contain to name that mistake. An entry is judged as a student's
notebook would be: the solution notebook's own functions, overridden by the
entry's, handed over by the grade cells' own hidden ``judge.submit`` calls, then
``judging.make_cases``; the function is pickled by the notebook's writer
(``course_utils.judge.write_function``, as in a Jupyter kernel) and loaded and
called by the grader's harness in another process (one long-lived process, fed
through files: ``tests/handover_worker.py``), whose results file is decoded and judged by
the check, as in grading (issue 27: import forms the grader could not load). A right answer is judged by every check whose
submitted function reaches a name the entry defines (no false reject downstream); a
mistake only by the checks it names and those whose grade cell calls a function it
redefines (an FGSM mistake is not re-run through every attack built on FGSM). The
sandbox and its limits are not involved. Entries use the
notebook's names (``np``, ``padding_amounts``, ``ConvCache``...) unqualified.
Names the visible asserts take from cells the corpus does not run (03's trained
``model``, ``x_test``...) come from ``WEEK_NAMES``.

The grade cells' visible asserts are replayed on the same entry: where they
fail, the hidden check must fail too (a student who calls ``judge.submit``
by hand to skip a failing visible assert gains nothing), and a right answer
must pass them.

``judge_entry(..., checks=...)`` takes another list of checks, so the same
corpus can be run against an older checks module (see the commit note).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import re
import traceback
import types
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple

import nbformat
import numpy as np
import pytest

from autograder.verdicts import judging
from tests.handover_worker import judge_handed

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = Path(__file__).resolve().parent / "answers"
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
EXPECT = re.compile(r"^# expect: (pass|fail((?: [a-z_0-9]+)+))\s*$", re.M)
SAYS = re.compile(r"^# says: (.+?)\s*$", re.M)  # words the self-check's one-line message must contain


def _definitions(source: str, *, imports_only: bool = False) -> str:
    """The top-level imports (and, unless ``imports_only``, defs and classes) of a cell."""
    kinds = (ast.Import, ast.ImportFrom) if imports_only else (
        ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    tree = ast.parse(source)
    return "\n\n".join(ast.get_source_segment(source, node) for node in tree.body if isinstance(node, kinds))


class GradeCell(NamedTuple):
    """A grade cell's visible asserts and its hidden ``judge.submit`` part."""

    visible: str
    hidden: str


def notebook_namespace(assignment: str) -> tuple[dict[str, Any], dict[str, GradeCell]]:
    """The solution notebook's setup cell, imports and functions; its grade cells by check id."""
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    namespace: dict[str, Any] = {"__name__": f"corpus_{assignment}", "ASSIGNMENT": assignment}
    grade_cells: dict[str, GradeCell] = {}
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    for index, cell in enumerate(code_cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            hidden = HIDDEN.search(cell.source)
            if hidden:
                grade_cells[meta["grade_id"].removeprefix("test_")] = GradeCell(
                    cell.source[:hidden.start()], hidden.group(1))
            continue
        # the setup cell runs whole; a solution cell gives its functions, any other cell its imports
        source = cell.source if index == 0 else _definitions(cell.source, imports_only=not meta.get("solution"))
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, f"<{assignment}:{meta.get('grade_id', index)}>", "exec"), namespace)
    namespace.update(WEEK_NAMES.get(assignment, lambda _: {})(namespace))
    return namespace, grade_cells


# --------------------------------------------------------------------------- names from cells the corpus skips
@functools.lru_cache(maxsize=None)
def _adversarial_stand_ins() -> tuple[Any, dict[str, np.ndarray]]:
    """03's hidden CNN (trained once per machine, then read from its cache file) and the MNIST
    arrays of the notebook's ``load_scaled`` as the smoke profile loads them (the first 2,000
    training and 500 test images: more than the grade cells use), built once per process."""
    import importlib

    from course_utils import data

    checks_03 = importlib.import_module("autograder.checks.03_adversarial")
    arrays = {}
    for split in ("train", "test"):
        images, labels = data.load_numpy("mnist", split, limit=data.SMOKE_LIMITS[split])
        arrays[f"x_{split}"], arrays[f"y_{split}"] = images.astype("float32") / 255.0, labels
    return checks_03.hidden_cnn(), arrays


def _adversarial_names(namespace: dict[str, Any]) -> dict[str, Any]:
    """What 03's grade cells use from its training cells: ``model`` (the hidden CNN of the
    checks instead of the notebook's trained one), ``x_train``... (fresh copies: an answer that
    writes into its input must not spoil the next entry) and ``rng`` (as first seeded by ``SEED``)."""
    model, arrays = _adversarial_stand_ins()
    return {"model": model, **{name: array.copy() for name, array in arrays.items()},
            "rng": np.random.default_rng(namespace["SEED"])}


# Per week: the names its grade cells' visible asserts take from cells the corpus does not run
# (training, data loading), from a callable of the notebook's namespace; merged into that namespace.
WEEK_NAMES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"03_adversarial": _adversarial_names}


def submitted_functions(namespace: dict[str, Any], grade_cells: dict[str, GradeCell]) -> dict[str, Callable[..., Any]]:
    """Run the grade cells' hidden ``judge.submit`` calls with a judge that records what they hand over."""
    handed: dict[str, Callable[..., Any]] = {}
    namespace["judge"] = types.SimpleNamespace(
        submit=lambda assignment, check, fn: handed.__setitem__(check, fn),
        submit_artifact=lambda assignment, check: None)
    for cell in grade_cells.values():
        exec(cell.hidden, namespace)
    return handed


def visible_failure(namespace: dict[str, Any], check_id: str, cell: GradeCell) -> tuple[int, str] | None:
    """(line, message) of what the grade cell's visible asserts raise in ``namespace``, or None."""
    filename = f"<visible {check_id}>"
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(cell.visible, filename, "exec"), dict(namespace))
    except Exception as exc:  # noqa: BLE001 - any failure stops the cell before judge.submit
        line = next(f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename)
        return line, f"{type(exc).__name__}: {exc}"
    return None


def assertive_statements(source: str) -> list[tuple[int, int]]:
    """(first, last) lines of the top-level statements of a visible part that can fail an answer:
    an ``assert`` or a ``check_*`` call (``check_implemented`` only fails an unfinished one)."""
    spans = []
    for node in ast.parse(source).body:
        calls = [getattr(c.func, "id", getattr(c.func, "attr", "")) for c in ast.walk(node) if isinstance(c, ast.Call)]
        if any(isinstance(n, ast.Assert) for n in ast.walk(node)) or any(
                name.startswith("check_") and name != "check_implemented" for name in calls):
            spans.append((node.lineno, node.end_lineno))
    return spans


def _reached_names(fn: Callable[..., Any], namespace: dict[str, Any]) -> set[str]:
    """Every global name ``fn`` can reach through the namespace's functions (nested code included)."""
    seen: set[str] = set()
    stack = [fn.__code__]
    while stack:
        code = stack.pop()
        stack += [c for c in code.co_consts if isinstance(c, types.CodeType)]
        for name in code.co_names:
            if name in seen:
                continue
            seen.add(name)
            value = namespace.get(name)
            if isinstance(value, types.FunctionType):
                stack.append(value.__code__)
            elif isinstance(value, type):
                stack += [f.__code__ for f in vars(value).values() if isinstance(f, types.FunctionType)]
    return seen


def judge_function(assignment: str, check: judging.FunctionCheck, fn: Callable[..., Any]) -> judging.Verdict:
    """The real judge path: hidden cases; ``fn`` pickled by the notebook's writer as in a kernel, loaded
    and called by the grader's harness in another (long-lived) process, which measures it (dtypes, line
    events); the results file decoded and judged by the check (``handover_worker.judge_handed``)."""
    cases = check.make_cases(np.random.default_rng(judging.case_seed(assignment, check.id)))
    return judge_handed(assignment, check, fn, cases)


def expected_failures(path: Path) -> set[str]:
    """The check ids an entry's ``# expect:`` header says must fail (empty for ``pass``)."""
    match = EXPECT.search(path.read_text())
    if match is None:
        raise ValueError(f"{path} has no '# expect: pass' or '# expect: fail <check_id>' header")
    return set((match.group(2) or "").split())


class EntryResult(NamedTuple):
    """Hidden verdicts, and the visible failures (line, message) of the same grade cells, by check id."""

    verdicts: dict[str, judging.Verdict]
    visible_failures: dict[str, tuple[int, str]]


def judge_entry(assignment: str, path: Path, checks: Iterable[judging.Check] | None = None) -> EntryResult:
    """Judge every function check that reaches a function the entry at ``path`` defines."""
    namespace, grade_cells = notebook_namespace(assignment)
    before = dict(namespace)
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    defined = {name for name, value in namespace.items() if before.get(name) is not value}
    handed = submitted_functions(namespace, grade_cells)
    checks = judging.load_checks(assignment) if checks is None else checks
    reached = [check for check in checks if isinstance(check, judging.FunctionCheck) and check.id in handed
               and _reached_names(handed[check.id], namespace) & defined]
    failing = expected_failures(path)
    if failing:  # a mistake: only the checks it names and those whose grade cell calls what it redefines
        reached = [check for check in reached
                   if check.id in failing or set(handed[check.id].__code__.co_names) & defined]
    verdicts = {check.id: judge_function(assignment, check, handed[check.id]) for check in reached}
    failures = {check.id: visible_failure(namespace, check.id, grade_cells[check.id]) for check in reached}
    return EntryResult(verdicts, {check_id: message for check_id, message in failures.items() if message})


@functools.lru_cache(maxsize=None)
def judged(assignment: str, path: Path) -> EntryResult:
    return judge_entry(assignment, path)


def corpus(assignment: str) -> list[Path]:
    return sorted((ANSWERS / assignment).glob("*.py"))


WEEKS = tuple(sorted(folder.name for folder in ANSWERS.iterdir() if folder.is_dir() and not folder.name.startswith(".")))
ENTRIES = [pytest.param(assignment, path, id=f"{assignment}/{path.stem}")
           for assignment in WEEKS for path in corpus(assignment)]


@pytest.mark.parametrize("assignment, path", ENTRIES)
def test_entry_gets_the_expected_verdicts(assignment: str, path: Path):
    """Does every right alternative pass, and does each mistake fail exactly the checks it names?"""
    failing = expected_failures(path)
    verdicts = judged(assignment, path).verdicts
    assert failing <= set(verdicts), f"{path.name} names checks it does not reach: {failing - set(verdicts)}"
    wrong = {check: v.message for check, v in verdicts.items() if v.passed == (check in failing)}
    assert not wrong, wrong


@pytest.mark.parametrize("assignment, path", ENTRIES)
def test_visible_asserts_are_redundant(assignment: str, path: Path):
    """Does bypassing a failing visible assert (calling judge.submit by hand) gain nothing, and
    does every right alternative pass the visible asserts too?"""
    result = judged(assignment, path)
    bypassed = {check: message for check, message in result.visible_failures.items()
                if result.verdicts[check].passed}
    assert not bypassed, f"visible asserts fail but the hidden check passes: {bypassed}"
    if not expected_failures(path):
        assert not result.visible_failures, result.visible_failures


def test_every_week_has_an_answer_corpus():
    """Is there a tests/answers/<week>/ for every week in solutions/ (and none for a week that is gone)?"""
    from autograder.sources import release

    assert set(WEEKS) == set(release.list_assignments())


MIN_NAMED_MISTAKES = 3  # per week: mistakes whose self-check message names them (issue 15)


@pytest.mark.parametrize("assignment", WEEKS)
def test_self_checks_name_classic_mistakes_in_one_line(assignment: str):
    """Does each mistake marked ``# says: <words>`` get a self-check message of one line that
    contains those words (the tutor names the slip), and has every week at least three?"""
    named = [(path, SAYS.search(path.read_text()).group(1)) for path in corpus(assignment)
             if SAYS.search(path.read_text())]
    assert len(named) >= MIN_NAMED_MISTAKES, f"only {len(named)} entries of {assignment} carry '# says:'"
    problems = []
    for path, words in named:
        messages = [message for _, message in judged(assignment, path).visible_failures.values()]
        if not any(words.lower() in message.lower() for message in messages):
            problems.append(f"{path.stem}: no self-check message says {words!r}: {messages}")
        problems += [f"{path.stem}: a message of {m.count(chr(10)) + 1} lines: {m!r}" for m in messages if "\n" in m]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("assignment", WEEKS)
def test_every_visible_assert_is_failed_by_some_mistake(assignment: str):
    """Is every visible assert of a function check's grade cell failed by some corpus mistake (so the
    redundancy test above covers each one), and has each check a right answer and a mistake?"""
    entries = corpus(assignment)
    results = {path: judged(assignment, path) for path in entries}
    _, grade_cells = notebook_namespace(assignment)
    function_checks = {c.id for c in judging.load_checks(assignment) if isinstance(c, judging.FunctionCheck)}
    uncovered = []
    for check_id in sorted(function_checks):
        failed_lines = {r.visible_failures[check_id][0] for r in results.values() if check_id in r.visible_failures}
        uncovered += [f"{check_id}: line {first}" for first, last in assertive_statements(grade_cells[check_id].visible)
                      if not any(first <= line <= last for line in failed_lines)]
    assert not uncovered, f"visible asserts no corpus entry fails: {uncovered}"
    failed = set().union(*(expected_failures(p) for p in entries))
    passed = set().union(*(set(r.verdicts) for p, r in results.items() if not expected_failures(p)))
    assert function_checks <= failed & passed, function_checks - (failed & passed)
