"""The synthetic students of ``course demo``: each edits the *released* notebook as a student would.

Every builder takes a :class:`Context` (the released and source notebooks, and
the paths an attacker would aim at) and returns the notebook that student
hands in, or None for a folder without one. Nothing here is checked in: the
class is rebuilt from the current release each time, so it follows the course.
The table of students and what each should get is in ``autograder.demo.class_demo``.
"""

from __future__ import annotations

import copy
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import nbformat
from nbformat import NotebookNode

from autograder.records.results import Outcome, SubmissionResult

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
ESCAPE_MARKER = "ESCAPED"      # printed by the escape notebook when an attempt succeeds

# Realistic slips for the "buggy" student: (answer cell, text, replacement); any
# other assignment gets a generic sign error in the last answer cell.
BUGS = {
    "00_setup": ("one_hot", "labels] = 1.0", "labels - 1] = 1.0"),   # off-by-one class index
}


@dataclass(frozen=True)
class Expectation:
    """What a synthetic student should get: ``full``, ``zero`` or ``between``, and which outcomes."""

    score: str
    outcomes: frozenset[Outcome] = frozenset({Outcome.GRADED})

    def met_by(self, result: SubmissionResult) -> bool:
        if result.outcome not in self.outcomes:
            return False
        if self.score == "full":
            return result.max_score > 0 and result.score == result.max_score
        if self.score == "zero":
            return result.score == 0
        return 0 < result.score < result.max_score

    def describe(self) -> str:
        outcomes = "/".join(sorted(o.value for o in self.outcomes))
        return {"full": "full marks", "zero": "zero", "between": "in between"}[self.score] + f" ({outcomes})"


ZERO = Expectation("zero")


@dataclass(frozen=True)
class Context:
    """What the notebook editors need: the assignment's notebooks and the paths an attacker targets."""

    assignment: str
    released: NotebookNode
    source: NotebookNode
    course_root: Path
    gradebook_file: Path


# ----- notebook editing ------------------------------------------------------------------


def _meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def answer_ids(nb: NotebookNode) -> list[str]:
    """grade_ids of the code answer cells (nbgrader solution cells), in notebook order."""
    return [_meta(c)["grade_id"] for c in nb.cells if c.cell_type == "code" and _meta(c).get("solution")]


def solutions(source: NotebookNode) -> dict[str, str]:
    """grade_id -> the instructor's answer, with nbgrader's solution markers removed."""
    answers = {}
    for cell in source.cells:
        if cell.cell_type == "code" and _meta(cell).get("solution"):
            lines = [line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS]
            answers[_meta(cell)["grade_id"]] = textwrap.dedent("\n".join(lines)) if lines else ""
    return answers


def _fill(nb: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    for cell in nb.cells:
        grade_id = _meta(cell).get("grade_id")
        if cell.cell_type == "code" and _meta(cell).get("solution") and grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def _insert_before_first_answer(nb: NotebookNode, code: str) -> NotebookNode:
    """Add a student's own cell just before the first answer cell (nbgrader keeps added cells)."""
    first = next(i for i, c in enumerate(nb.cells) if _meta(c).get("solution"))
    nb.cells.insert(first, nbformat.v4.new_code_cell(code))
    return nb


def _functions(code: str) -> list[str]:
    """Names of the top-level functions an answer defines."""
    return re.findall(r"^def (\w+)\(", code, flags=re.M)


def _stub_answers(ctx: Context, body: str) -> dict[str, str]:
    """Every answer function replaced by one whose body is ``body`` (no real work)."""
    stubs = {}
    for grade_id, code in solutions(ctx.source).items():
        names = _functions(code)
        if names:
            stubs[grade_id] = "\n\n".join(f"def {name}(*args, **kwargs):\n    {body}" for name in names)
    return stubs


# ----- the synthetic students ---------------------------------------------------------------


def _solution(ctx: Context) -> NotebookNode:
    return _fill(copy.deepcopy(ctx.released), solutions(ctx.source))


def _blank(ctx: Context) -> NotebookNode:
    return copy.deepcopy(ctx.released)


def _partial(ctx: Context) -> NotebookNode:
    ids = answer_ids(ctx.released)
    answers = solutions(ctx.source)
    return _fill(copy.deepcopy(ctx.released), {i: answers[i] for i in ids[: max(1, len(ids) // 2)]})


def _buggy(ctx: Context) -> NotebookNode:
    answers = solutions(ctx.source)
    cell, text, replacement = BUGS.get(ctx.assignment, (answer_ids(ctx.released)[-1], None, None))
    if text is not None and text in answers[cell]:
        answers[cell] = answers[cell].replace(text, replacement)
    else:
        name = _functions(answers[cell])[0]
        answers[cell] += textwrap.dedent(f"""


            _{name}_right = {name}


            def {name}(*args, **kwargs):  # a sign slipped in while refactoring
                out = _{name}_right(*args, **kwargs)
                if isinstance(out, tuple):
                    return (-np.asarray(out[0]),) + tuple(out[1:])
                return -np.asarray(out)
            """)
    return _fill(copy.deepcopy(ctx.released), answers)


def _append_to_first_answer(ctx: Context, code: str) -> NotebookNode:
    answers = solutions(ctx.source)
    first = answer_ids(ctx.released)[0]
    answers[first] += "\n\n" + code
    return _fill(copy.deepcopy(ctx.released), answers)


def _infinite_loop(ctx: Context) -> NotebookNode:
    return _append_to_first_answer(ctx, "while True:  # waiting for a convergence that never comes\n    pass")


def _memory_hog(ctx: Context) -> NotebookNode:
    return _append_to_first_answer(ctx, "hog = []\nwhile True:  # keeps every batch in memory\n"
                                        "    hog.append(bytearray(256 * 2**20))")


PATCH_CHECKS = """\
# Make every visible check pass without doing the work.
import numpy as np
import course_utils.checks as _checks
for _name in dir(_checks):
    if _name.startswith("check_"):
        setattr(_checks, _name, lambda *args, **kwargs: None)
_checks.rel_error = lambda *args, **kwargs: 0.0
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
"""


def _tamper_checks(ctx: Context) -> NotebookNode:
    patch = PATCH_CHECKS + textwrap.dedent("""\
        import course_utils.judge as _judge
        _judge.submit = lambda *args, **kwargs: None          # never hand anything over
        _judge.call_case = lambda fn, case: _judge.CaseResult((np.zeros(1),), None, 0.0)
        """)
    nb = _fill(copy.deepcopy(ctx.released), _stub_answers(ctx, "return np.zeros(1)"))
    return _insert_before_first_answer(nb, patch)


def _always_equal(ctx: Context) -> NotebookNode:
    patch = PATCH_CHECKS + textwrap.dedent("""\
        class AlwaysEqual:
            \"\"\"Equal to anything: defeats `assert f(x) == y` in the kernel.\"\"\"
            shape = property(lambda self: AlwaysEqual())
            dtype = property(lambda self: AlwaysEqual())
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            def __getitem__(self, key): return self
            def __iter__(self): return iter([])
            def __bool__(self): return True
        """)
    nb = _fill(copy.deepcopy(ctx.released), _stub_answers(ctx, "return AlwaysEqual()"))
    return _insert_before_first_answer(nb, patch)


def _escape(ctx: Context) -> NotebookNode:
    root = ctx.course_root
    targets = [root / "solutions" / ctx.assignment / f"{ctx.assignment}.ipynb",
               root / "autograder" / "checks" / f"{ctx.assignment}.py", ctx.gradebook_file]
    code = textwrap.dedent(f"""\
        # Look for the answers and the grades outside this folder, and phone home.
        import os, socket, urllib.request
        for path in {[str(p) for p in targets]!r}:
            try:
                with open(path, "rb") as handle:
                    handle.read(100)
                print("{ESCAPE_MARKER}: read", path)
            except OSError as exc:
                print("blocked: read", path, type(exc).__name__)
        for path in [{str(ctx.gradebook_file)!r}, {str(ctx.gradebook_file.parent / "PWNED")!r}]:
            try:
                with open(path, "ab") as handle:
                    handle.write(b"all grades are 100")
                print("{ESCAPE_MARKER}: wrote", path)
            except OSError as exc:
                print("blocked: write", path, type(exc).__name__)
        print("parent folder holds", sorted(os.listdir("..")))
        for host, port in [("1.1.1.1", 53), ("pypi.org", 443)]:
            try:
                socket.create_connection((host, port), timeout=3).close()
                print("{ESCAPE_MARKER}: network", host)
            except OSError as exc:
                print("blocked: network", host, type(exc).__name__)
        """)
    return _insert_before_first_answer(copy.deepcopy(ctx.released), code)


def _tamper_cells(ctx: Context) -> NotebookNode:
    nb = copy.deepcopy(ctx.released)
    for cell in nb.cells:
        if _meta(cell).get("grade") and not _meta(cell).get("solution"):
            cell.source = '"""All tests pass."""\npass'
            cell.metadata["nbgrader"]["points"] = 100
    return nb


def _tamper_judge(ctx: Context) -> NotebookNode:
    code = textwrap.dedent("""\
        # Look for the grader's hidden inputs, and hand it forged functions instead of answers.
        import glob, os, pickle
        judge_dir = os.environ.get("COURSE_JUDGE_DIR", ".judge")
        print("hidden inputs found:", glob.glob(os.path.join(judge_dir, "**", "*.npz"), recursive=True))
        os.makedirs(os.path.join(judge_dir, "functions"), exist_ok=True)
        for check in ("normalize_images", "one_hot", "conv_forward", "conv_speed"):
            with open(os.path.join(judge_dir, "functions", check + ".pkl"), "wb") as handle:
                pickle.dump(print, handle)   # a "function" that returns None for every case
        """)
    return _insert_before_first_answer(copy.deepcopy(ctx.released), code)


@dataclass(frozen=True)
class SyntheticStudent:
    name: str
    build: Callable[[Context], NotebookNode | None]   # None: submit no notebook
    expect: Expectation


CLASS = [
    SyntheticStudent("solution", _solution, Expectation("full")),
    SyntheticStudent("blank", _blank, ZERO),
    SyntheticStudent("partial", _partial, Expectation("between")),
    SyntheticStudent("buggy", _buggy, Expectation("between")),
    SyntheticStudent("infinite_loop", _infinite_loop, Expectation("zero", frozenset({Outcome.TIMEOUT}))),
    SyntheticStudent("memory_hog", _memory_hog, Expectation("zero", frozenset({Outcome.OUT_OF_MEMORY}))),
    SyntheticStudent("tamper_checks", _tamper_checks, ZERO),
    SyntheticStudent("always_equal", _always_equal, ZERO),
    SyntheticStudent("escape", _escape, ZERO),
    SyntheticStudent("tamper_cells", _tamper_cells, Expectation("zero", frozenset({Outcome.TAMPERING}))),
    SyntheticStudent("tamper_judge", _tamper_judge, ZERO),
    SyntheticStudent("no_notebook", lambda ctx: None, Expectation("zero", frozenset({Outcome.MISSING_NOTEBOOK}))),
]
SMALL_CLASS = ("solution", "blank", "partial")


def cohort(whole_class: bool) -> list[SyntheticStudent]:
    """Every synthetic student, or only solution, blank and partial."""
    return [s for s in CLASS if whole_class or s.name in SMALL_CLASS]


def write_class(ctx: Context, students: Sequence[SyntheticStudent], folder: Path) -> Path:
    """Write ``folder/<student>/<assignment>.ipynb`` for each synthetic student (fresh folder)."""
    shutil.rmtree(folder, ignore_errors=True)
    for student in students:
        nb = student.build(ctx)
        (folder / student.name).mkdir(parents=True)
        if nb is not None:
            nbformat.write(nb, str(folder / student.name / f"{ctx.assignment}.ipynb"))
    return folder
