"""``course new NN_topic``: the files of a new week, already following every convention.

Why: adding a week by hand took three files and several unwritten rules (the
title, the header, a first cell that imports ``course_utils``, the exercise
numbering, self-check marks, grade cells that hand functions to the judge, answer
cells under the questions, the closing cell, a checks module with fixed edge
cases, an answer corpus). The scaffold writes one small but complete week — one
exercise, ``mse(predictions, targets)``, its self-check, its grade cell, its
hidden check with edge cases that catch three classic slips, one question, and a
corpus of a right alternative and three mistakes — that passes ``course
validate`` and is covered by ``make test`` as it stands. The instructor then
replaces the exercise with the week's own, keeping the shape.

Files (never overwritten)::

    solutions/NN_topic/NN_topic.ipynb      the source notebook
    autograder/checks/NN_topic.py          its hidden checks
    tests/answers/NN_topic/*.py            its answer corpus
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import nbformat
from nbformat import NotebookNode

NAME = re.compile(r"^(\d\d)_([a-z][a-z0-9_]*)$")


class ScaffoldError(ValueError):
    """A name the scaffold cannot use, or files it would overwrite; the message says what to do."""


def _cell(kind: str, source: str, cell_id: str, nbgrader: dict | None = None) -> NotebookNode:
    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    cell = make(textwrap.dedent(source).strip("\n"))
    cell["id"] = cell_id
    if nbgrader is not None:
        cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, **nbgrader}
    return cell


def notebook(assignment: str) -> NotebookNode:
    """The source notebook of a new week (see the module doc)."""
    week = int(assignment[:2])
    topic = assignment[3:].replace("_", " ")
    cells = [
        _cell("markdown", f"""
            # Week {week} — {topic}

            **Description:** one sentence on what this week builds and why.<br>
            **Estimated time:** measure it (smoke and full profile) and write it here.<br>
            **Accelerator:** none needed.
            """, "header"),
        _cell("code", f"""
            import course_utils  # first: it keeps TensorFlow's start-up log lines out of this notebook
            import numpy as np

            from course_utils import checks, judge, runtime  # judge: used by the grader

            ASSIGNMENT = "{assignment}"
            SEED = runtime.set_seed(1234)
            rng = np.random.default_rng(SEED)
            """, "setup"),
        _cell("markdown", f"""
            ## Exercise {week}.1 — the mean squared error (2 points)

            For predictions $\\hat y$ and targets $y$ with $n$ entries each,

            $$\\mathrm{{MSE}}(\\hat y, y) = \\frac{{1}}{{n}} \\sum_{{i=1}}^{{n}} (\\hat y_i - y_i)^2 .$$

            **Contract.** `predictions`, `targets`: float arrays of the same shape, any shape.
            Return the mean over *every* entry, as a Python or NumPy float.
            """, "exercise-1-text"),
        _cell("code", """
            def mse(predictions, targets):
                \"\"\"Mean squared error over every entry; predictions, targets: same shape (any).\"\"\"
                ### BEGIN SOLUTION
                difference = np.asarray(predictions, dtype=np.float64) - np.asarray(targets, dtype=np.float64)
                return float(np.mean(difference ** 2))
                ### END SOLUTION
            """, "mse", {"grade": False, "grade_id": "mse", "locked": False, "solution": True}),
        _cell("code", """
            # Self-check: a small batch whose answer is known by hand.
            predictions, targets = np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[1.0, 0.0], [3.0, 4.0]])
            checks.check_close("mse on a 2x2 batch", checks.check_implemented(mse, predictions, targets), 1.25,
                               mistakes={"the sum instead of the mean: divide by the number of entries": 5.0,
                                         "the square root (that is the RMSE): return the mean itself": 1.25 ** 0.5,
                                         "the absolute error instead of the square: square each difference": 0.75})
            """, "mse-self-check"),
        _cell("code", """
            \"\"\"Check mse on a batch of vectors whose answer is known by hand.\"\"\"
            value = checks.check_implemented(mse, np.array([0.0, 3.0, -1.0]), np.array([0.0, 1.0, 1.0]))
            checks.check_close("mse([0, 3, -1], [0, 1, 1])", value, 8.0 / 3.0)
            ### BEGIN HIDDEN TESTS
            judge.submit(ASSIGNMENT, "mse", lambda predictions, targets: mse(predictions, targets))
            ### END HIDDEN TESTS
            """, "test-mse", {"grade": True, "grade_id": "test_mse", "locked": True, "points": 2,
                              "solution": False}),
        _cell("markdown", """
            ## Questions (ungraded)

            Answer each question in a sentence or two, in the cell below it (double-click *YOUR ANSWER
            HERE*). Your TA reads the answers; they carry no points.
            """, "questions"),
        _cell("markdown", f"""
            **Question {week}.1.** Why does the squared error punish one large mistake more than many small
            ones?
            """, f"question-{week}-1"),
        _cell("markdown", """
            Squaring grows faster than linearly: an error of 4 costs 16, four errors of 1 cost 4 in all, so
            the mean is dominated by the largest differences (and by outliers).
            """, f"answer-{week}-1", {"grade": True, "grade_id": f"answer_{week}_1", "locked": False,
                                      "points": 0, "solution": True}),
        _cell("markdown", f"""
            ## Before you submit

            Run *Kernel → Restart & Run All* and check that every cell ran without an error. Then submit
            the folder that holds this notebook, `{assignment}.ipynb`.
            """, "before-you-submit"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    return nb


CHECKS_TEMPLATE = '''\
"""Hidden checks of {assignment}: the mean squared error.

Each FunctionCheck builds its hidden cases from a generator seeded by the term's
secret (COURSE_JUDGE_SECRET): fixed edge cases that catch each classic mistake
whatever the secret, then random ones. Its judge compares the student's results
with the reference written here (never shipped) and names the likely mistake
without showing the hidden inputs.
"""

from __future__ import annotations

import numpy as np

from autograder.verdicts.judging import Cases, FunctionCheck, Verdict
from course_utils.judge import CaseResult

ASSIGNMENT = "{assignment}"
# Relative to the reference's size, plus a tiny absolute term for an exact zero: float64 and
# float32 answers both pass, and every mistake below is off by at least 10 %.
RTOL, ATOL = 1e-5, 1e-12

# Always among the hidden cases. Each line names the mistake it catches.
EDGE_CASES = [
    (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])),   # exact zero: the tolerance must accept it
    (np.array([[3.0, 0.0], [0.0, 0.0]]), np.zeros((2, 2))),   # 2-D: the mean over every entry, not per row
    (np.array([0.5, -0.5, 0.5, -0.5]), np.zeros(4)),          # errors below 1: the square root is larger
    (np.array([4.0, 0.0, 0.0, 0.0]), np.zeros(4)),            # one outlier: the sum is 4x the mean
]


def mse_reference(predictions: np.ndarray, targets: np.ndarray) -> float:
    """predictions, targets: same shape -> the mean of the squared differences (float64)."""
    return float(np.mean((np.asarray(predictions, np.float64) - np.asarray(targets, np.float64)) ** 2))


def _make_cases(rng: np.random.Generator) -> Cases:
    cases = [{{"predictions": p, "targets": t}} for p, t in EDGE_CASES]
    for shape in [(7,), (3, 5), (2, 3, 4)]:
        cases.append({{"predictions": rng.normal(size=shape), "targets": rng.normal(size=shape)}})
    return cases


def _judge(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        if result.outputs is None or len(result.outputs) != 1 or np.asarray(result.outputs[0]).size != 1:
            return Verdict(False, "mse: return one number, the mean over every entry.")
        got, want = float(np.asarray(result.outputs[0])), mse_reference(case["predictions"], case["targets"])
        if abs(got - want) > RTOL * abs(want) + ATOL:
            size = np.asarray(case["targets"]).size
            if abs(got - want * size) <= RTOL * abs(want * size) + ATOL:
                hint = "it looks like the sum: divide by the number of entries"
            elif abs(got - want ** 0.5) <= RTOL * want ** 0.5 + ATOL:
                hint = "it looks like the square root (the RMSE): return the mean itself"
            else:
                hint = "square each difference, then average over every entry"
            return Verdict(False, f"mse: wrong value on a hidden batch: {{hint}}.")
    return Verdict(True, "mse is correct on every hidden batch.")


CHECKS = [
    FunctionCheck(id="mse", points=2, description="the mean squared error over every entry",
                  make_cases=_make_cases, judge=_judge),
]
'''

CORPUS = {
    "mse_numpy_square.py": '''\
        # expect: pass
        """Right: np.square and .mean() on float arrays."""


        def mse(predictions, targets):
            return np.square(np.asarray(predictions, float) - np.asarray(targets, float)).mean()
        ''',
    "mse_sum.py": '''\
        # expect: fail mse
        # says: the sum instead of the mean
        """Forgets to divide by the number of entries."""


        def mse(predictions, targets):
            return float(np.sum((np.asarray(predictions) - np.asarray(targets)) ** 2))
        ''',
    "mse_root.py": '''\
        # expect: fail mse
        # says: the square root
        """Returns the root mean squared error."""


        def mse(predictions, targets):
            return float(np.sqrt(np.mean((np.asarray(predictions) - np.asarray(targets)) ** 2)))
        ''',
    "mse_absolute.py": '''\
        # expect: fail mse
        # says: the absolute error
        """Averages absolute differences instead of squares."""


        def mse(predictions, targets):
            return float(np.mean(np.abs(np.asarray(predictions) - np.asarray(targets))))
        ''',
}


def new_week(assignment: str, root: Path) -> list[Path]:
    """Write the new week's files under ``root`` (a course repository); return their paths."""
    if not NAME.match(assignment):
        raise ScaffoldError(f"'{assignment}' is not a week name: use NN_topic, two digits then a lower-case "
                            "topic (e.g. 08_transformers).")
    root = Path(root)
    files = {root / "solutions" / assignment / f"{assignment}.ipynb": None,
             root / "autograder" / "checks" / f"{assignment}.py": CHECKS_TEMPLATE.format(assignment=assignment),
             **{root / "tests" / "answers" / assignment / name: textwrap.dedent(text)
                for name, text in CORPUS.items()}}
    taken = [str(path.relative_to(root)) for path in files if path.exists()]
    if taken or (root / "solutions" / assignment).exists():
        raise ScaffoldError(f"{assignment} exists already ({', '.join(taken) or 'solutions/' + assignment}); "
                            "choose another name or remove those files.")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            nbformat.write(notebook(assignment), str(path))
        else:
            path.write_text(text, encoding="utf-8")
    return list(files)
