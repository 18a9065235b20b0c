"""Does `course release` produce a clean, deterministic student version, and does
`course validate` catch each way a release can go wrong?

Everything runs on a tiny temporary course (one notebook, no TensorFlow), so a
validation takes a few seconds; the real 00_setup is covered in test_00_setup.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder import cli
from autograder.authoring import validate
from autograder.sources import release

REPO = Path(__file__).resolve().parents[1]
NAME = "99_fixture"

SOLUTION = '''def add(a, b):
    """Return the sum of a and b."""
    ### BEGIN SOLUTION
    total = a + b
    return total
    ### END SOLUTION'''

TEST_ADD = '''"""Check that add() sums two numbers."""
assert add(1, 2) == 3, "add(1, 2) should be 3"
### BEGIN HIDDEN TESTS
from course_utils import judge
judge.submit("99_fixture", "add", add)
### END HIDDEN TESTS'''

CHECKS = '''from autograder.verdicts.judging import FunctionCheck, Verdict

CHECKS = [
    FunctionCheck("add", 2, "adds two numbers",
                  make_cases=lambda rng: [{"a": 1, "b": 2}],
                  judge=lambda cases, results: Verdict(results[0].outputs[0].item() == 3, "sums")),
]
'''


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked, "schema_version": 3}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _test_cell(grade_id: str, source: str, points: float):
    return new_code_cell(source, metadata=_meta(grade_id, grade=True, locked=True, points=points))


def fixture_notebook() -> nbformat.NotebookNode:
    """A one-exercise nbgrader source notebook: prose, a solution cell, a test cell."""
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nb.cells = [
        new_markdown_cell("# Fixture\nAdd two numbers.", metadata=_meta("intro", locked=True)),
        new_code_cell(SOLUTION, metadata=_meta("add", solution=True)),
        _test_cell("test_add", TEST_ADD, 2),
    ]
    _number_cells(nb)
    return nb


def _number_cells(nb: nbformat.NotebookNode) -> None:
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"


def make_course(root: Path, edit: Callable[[nbformat.NotebookNode], None] | None = None,
                checks: str = CHECKS) -> Path:
    """Write a course with the fixture assignment into ``root`` and release it."""
    nb = fixture_notebook()
    if edit:
        edit(nb)
        _number_cells(nb)
    source = root / "solutions" / NAME
    source.mkdir(parents=True)
    nbformat.write(nb, source / f"{NAME}.ipynb")
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    (root / "autograder" / "checks").mkdir(parents=True)
    (root / "autograder" / "checks" / f"{NAME}.py").write_text(checks)
    release.release(NAME, root)
    return root


def released(root: Path) -> Path:
    return root / "assignments" / NAME / f"{NAME}.ipynb"


def result(report, title_words: str):
    """The one check result whose title contains ``title_words``."""
    (found,) = [r for r in report.results if title_words in r.title]
    return found


def test_list_assignments_finds_only_nn_topic_folders_with_notebooks(tmp_path):
    """Does list_assignments ignore folders that are not NN_topic or hold no notebook?"""
    make_course(tmp_path)
    (tmp_path / "solutions" / "notes").mkdir()
    (tmp_path / "solutions" / "98_empty").mkdir()
    assert release.list_assignments(tmp_path) == [NAME]


def test_release_clears_solutions_and_hidden_tests(tmp_path):
    """Does the student version keep the stub and visible asserts but no answer or hidden test?"""
    make_course(tmp_path)
    nb = nbformat.read(released(tmp_path), as_version=4)
    solution, test = nb.cells[1].source, nb.cells[2].source
    assert "raise NotImplementedError()" in solution and "total = a + b" not in solution
    assert 'assert add(1, 2) == 3' in test and "HIDDEN" not in test and "42" not in test
    assert nb.cells[2].metadata["editable"] is False  # test cells are locked
    assert "checksum" in nb.cells[2].metadata["nbgrader"]


def test_release_is_deterministic_and_writes_no_gradebook(tmp_path):
    """Is a second release byte-identical, and is no database left in the course?"""
    make_course(tmp_path)
    first = released(tmp_path).read_bytes()
    release.release(NAME, tmp_path)
    assert released(tmp_path).read_bytes() == first
    assert not list(tmp_path.rglob("*.db"))


def test_generate_with_a_gradebook_records_hidden_tests_there(tmp_path):
    """Does generate(db_url=...) keep the hidden tests in the gradebook (for autograde) only?"""
    from nbgrader.api import Gradebook

    root = make_course(tmp_path / "course")
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    generated = release.generate(NAME, tmp_path / "out", root=root, db_url=db_url)
    assert (generated / f"{NAME}.ipynb").read_bytes() == released(root).read_bytes()
    with Gradebook(db_url) as gradebook:
        cell = gradebook.find_source_cell("test_add", NAME, NAME)
        assert 'judge.submit("99_fixture", "add", add)' in cell.source
        assert gradebook.find_grade_cell("test_add", NAME, NAME).max_score == 2


def test_release_of_unknown_assignment_names_the_known_ones(tmp_path):
    make_course(tmp_path)
    with pytest.raises(release.UnknownAssignmentError, match=NAME):
        release.release("42_nothing", tmp_path)


def test_validate_passes_on_a_correct_course(tmp_path):
    """Does a correct source with an in-sync release pass all seven checks (the second in two parts:
    it runs, and prints no noise; the third too: the blank fails, each unfinished exercise in one
    line; the last grades the source and the blank through the real sandbox), saying before each
    long step what it does?"""
    steps = []
    report = validate.validate(NAME, make_course(tmp_path), progress=steps.append)
    assert report.ok, report.render()
    assert len(report.results) == 10
    assert report.render().count("✓") == 10
    assert [line.split()[0] for line in steps] == ["running", "generating", "grading"], steps


def _leak_in_another_cell(nb):
    nb.cells.append(new_markdown_cell("The answer, for the curious:\n\n    total = a + b"))


def _free_points(nb):
    nb.cells.append(_test_cell("test_free", '"""A test that checks nothing."""\nassert True', 1))


def _saved_outputs(nb):
    nb.cells[1].execution_count = 3
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]


def _wrong_answer(nb):
    nb.cells[1].source = SOLUTION.replace("a + b", "a - b")


def _orphan_test_cell(nb):
    nb.cells.append(_test_cell("test_orphan", "assert add(2, 2) == 4", 1))


FREE_CHECKS = CHECKS.replace("]\n", '    FunctionCheck("free", 1, "", lambda rng: [], lambda c, r: Verdict(True, "")),\n]\n')


@pytest.mark.parametrize(
    "edit, checks, failing, expected",
    [
        (_leak_in_another_cell, CHECKS, "no solution", "contains `total = a + b`"),
        (_free_points, FREE_CHECKS, "blank release fails", "cell 3 (test_free) passes on the blank"),
        (_saved_outputs, CHECKS, "cleared outputs", "cell 1 (add) has saved outputs"),
        (_wrong_answer, CHECKS, "runs top to bottom", "cell 2 (test_add) test cell fails: AssertionError"),
        (_orphan_test_cell, CHECKS, "hidden check with the same points", "has no hidden check 'orphan'"),
        (None, CHECKS.replace('"add", 2', '"add", 3'), "hidden check with the same points",
         "worth 2 points but check 'add' is worth 3"),
        (None, CHECKS.replace("]\n", '    FunctionCheck("plus", 2, "", lambda rng: [], lambda c, r: Verdict(True, "")),\n]\n'),
         "hidden check with the same points",
         "check 'plus' in autograder/checks/99_fixture.py has no test cell test_plus"),
        # The source passes its visible asserts but not its hidden check: judged once, by the grader.
        (None, CHECKS.replace("== 3", "== 4"), "graded end to end", "the source lost points on test_add: sums"),
    ],
    ids=["leaked-solution", "passes-on-blank", "outputs-not-cleared", "source-fails",
         "test-cell-without-check", "points-differ", "check-without-test-cell", "fails-hidden-check"],
)
def test_validate_reports_a_broken_course(tmp_path, edit, checks, failing, expected):
    """Does each breakage fail exactly its check, with a message naming the cell and a fix?"""
    report = validate.validate(NAME, make_course(tmp_path, edit, checks))
    broken = result(report, failing)
    assert not report.ok
    assert any(expected in problem for problem in broken.problems), report.render()
    assert [r.title for r in report.results if not r.ok] == [broken.title], report.render()
    assert broken.fix and broken.fix in report.render()


def test_validate_reports_a_drifted_release(tmp_path):
    """Does editing the source after release fail the sync check and say how to fix it?"""
    root = make_course(tmp_path)
    path = root / "solutions" / NAME / f"{NAME}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += "\nNow with more prose."
    nbformat.write(nb, path)
    report = validate.validate(NAME, root)
    sync = result(report, "in sync")
    assert sync.problems == (f"{NAME}.ipynb differs from a fresh generation",)
    assert f"course release {NAME}" in report.render()


def test_validate_reports_a_hand_edited_release_that_leaks_hidden_tests(tmp_path):
    """Does pasting a hidden test into the checked-in release fail both leak and sync checks?"""
    root = make_course(tmp_path)
    data = json.loads(released(root).read_text())
    data["cells"][2]["source"].append('\njudge.submit("99_fixture", "add", add)')
    released(root).write_text(json.dumps(data, indent=1))
    report = validate.validate(NAME, root)
    assert not result(report, "no solution").ok
    assert "judge.submit" in result(report, "no solution").problems[0]
    assert not result(report, "in sync").ok


def test_a_notebook_nbgrader_rejects_is_reported_not_raised(tmp_path):
    """Do duplicate grade ids give a clear ReleaseError, and a failed item in validate?"""
    root = make_course(tmp_path)
    path = root / "solutions" / NAME / f"{NAME}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].metadata["nbgrader"]["grade_id"] = "test_add"
    nbformat.write(nb, path)
    with pytest.raises(release.ReleaseError, match="Duplicate grade id: test_add"):
        release.release(NAME, root)
    report = validate.validate(NAME, root)
    generation = result(report, "nbgrader generates")
    assert not generation.ok and "Duplicate grade id: test_add" in generation.problems[0]
    assert result(report, "hidden check with the same points").ok


def test_cli_validate_exit_code_follows_the_report(tmp_path, capsys):
    """Does `course validate --root DIR` exit 0 on a good course and 1 on a broken one?"""
    good = make_course(tmp_path / "good")
    bad = make_course(tmp_path / "bad", _free_points, FREE_CHECKS)
    assert cli.main(["validate", "--root", str(good)]) == 0
    assert cli.main(["validate", "--root", str(bad), NAME]) == 1
    out = capsys.readouterr().out
    assert "validation OK" in out and "validation FAILED" in out
