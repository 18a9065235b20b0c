"""Do the notebooks size for grading only what no test cell reads (``by_profile(…, grading=…)``)?"""

from __future__ import annotations

import nbformat
import pytest

from autograder.authoring import grading_sizes
from autograder.sources import release
from autograder.sources import notebooks as nbu
from autograder.sources.release import REPO_ROOT, SOURCE_DIR


def _notebook(*cells: tuple[str, bool]) -> nbformat.NotebookNode:
    """A notebook of code cells; (source, True) is a test cell (nbgrader grade=True)."""
    nb = nbformat.v4.new_notebook()
    for index, (source, graded) in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source)
        if graded:
            cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": f"test_{index}",
                                         "points": 1, "locked": True}
        nb.cells.append(cell)
    return nb


@pytest.mark.parametrize("assignment", release.list_assignments())
def test_no_test_cell_reads_a_grading_size(assignment: str):
    sources = [(path.name, nbu.read(path)) for path in sorted((REPO_ROOT / SOURCE_DIR / assignment).glob("*.ipynb"))]
    result = grading_sizes.check_grading_sizes(sources)
    assert result.ok, result.problems


def test_a_test_cell_that_reads_a_grading_size_is_found():
    """The small bad examples: a direct read, a read through a derived name and a function, and a
    grading size written in the test cell itself; an unrelated profile size stays allowed."""
    nb = _notebook(
        ("N = runtime.by_profile(smoke=200, full=1000, grading=50)\nM = runtime.by_profile(smoke=1, full=2)", False),
        ("x_small = x_test[:N]\n\ndef curve(model):\n    return attack(model, x_small)", False),
        ("assert accuracy(model, x_test[:M]) > 0.9", True),
        ("assert curve(model)[0] > 0.5", True),
        ("assert N > 10", True),
        ("k = runtime.by_profile(smoke=1, full=2, grading=1)\nassert k", True),
    )
    problems = grading_sizes.graded_reads(nb)
    assert len(problems) == 3, problems
    assert "curve" in problems[0] and "N" in problems[1] and "sized with grading=" in problems[2]
    assert not grading_sizes.check_grading_sizes([("bad.ipynb", nb)]).ok


def test_a_functions_own_names_are_not_the_notebooks():
    """A function whose parameter or local variable shares a grading-sized global's name does not
    read that global (a false alarm before); one that reads the global does."""
    nb = _notebook(
        ("gradients = runtime.by_profile(smoke=10, full=100, grading=5)", False),
        ("def penalty(critic, gradients):\n    norms = [g for g in gradients]\n    return norms", False),
        ("def local(x):\n    gradients = x * 2\n    return gradients", False),
        ("def uses_global(x):\n    return x[:gradients]", False),
        ("assert penalty(None, [1]) and local(1)", True),
        ("assert uses_global([1, 2])", True),
    )
    problems = grading_sizes.graded_reads(nb)
    assert len(problems) == 1 and "uses_global" in problems[0], problems


def test_names_derived_from_a_grading_size_are_followed_across_cells():
    names = grading_sizes.grading_sized_names([
        "IMAGES = runtime.by_profile(smoke=10, full=100, grading=5)",
        "%matplotlib inline\nbatch = x[:IMAGES]\nother = 3",
        "for a, b in zip(batch, batch):\n    last = a",
        "curves = {}\ncurves['sized'] = batch\nrows = []\nrows.append(len(batch))\nplt.show()",
    ])
    assert names == {"IMAGES", "batch", "a", "b", "last", "curves", "rows"}


def test_a_comprehensions_loop_variable_is_not_the_notebooks():
    """``[f(images) for images in …]`` in a test cell reads its own loop variable, not a grading-sized
    global of that name (a false alarm on week 4 before); reading the global itself is still found."""
    nb = _notebook(
        ("images = runtime.by_profile(smoke=10, full=100, grading=5)", False),
        ("assert [len(images) for images in ([1], [2, 3])] == [1, 2]", True),
        ("assert {k: images for k in 'ab'}", True),
    )
    problems = grading_sizes.graded_reads(nb)
    assert len(problems) == 1 and "test_2" in problems[0] and "images" in problems[0], problems


def test_a_cell_that_reads_what_a_self_check_bound_is_found():
    """Self-checks do not run while graded: a later cell reading a name one bound is reported (a
    figure, a test cell), one that binds the name again first is not, nor a loop's own variable."""
    nb = _notebook(
        ("# Self-check: the shapes\nout = conv(x)\nstack = [1, 2]\nfor row in range(2):\n    pass", False),
        ("plot(out)", False),
        ("assert len(stack) == 2", True),
        ("out = conv(y)\nassert out.shape", True),
        ("for row in range(3):\n    print(row)", False),
    )
    problems = grading_sizes.self_check_reads(nb)
    assert problems == ["cell 1 reads out, bound by a self-check", "cell 2 (test_2) reads stack, bound by a self-check"]
    assert not grading_sizes.check_grading_sizes([("bad.ipynb", nb)]).ok
