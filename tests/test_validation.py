"""Do the pieces of `course validate` judge notebooks correctly, without running a kernel?"""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.sources import notebooks as nbu
from autograder.authoring import validate
from autograder.sources import release
from autograder.authoring import validation
from autograder.authoring.validation import CheckResult, ValidationReport, check_clean_sources, check_no_leaks


ROOT = Path(__file__).resolve().parents[1]


def _solution_cell(source: str):
    return new_code_cell(source, metadata={"nbgrader": {"grade_id": "answer", "solution": True,
                                                        "grade": False, "locked": False}})


@pytest.mark.parametrize("line", ["", "    ", "# a comment", ")", "pass", "else:", "import numpy as np",
                                  "from keras import layers", "return x", "x = 1"])
def test_trivial_lines_never_count_as_leaks(line):
    assert nbu.is_trivial(line)


@pytest.mark.parametrize("line", ["return images.astype(np.float32) / 255", "total = a + b + c",
                                  'judge.submit("00_setup", "one_hot", one_hot)'])
def test_real_code_counts_as_a_leak(line):
    assert not nbu.is_trivial(line)


def test_secret_lines_are_the_marked_regions_only():
    cell = _solution_cell("def f(x):\n    ### BEGIN SOLUTION\n    y = x * 2\n    ### END SOLUTION\n"
                          "    return y\n### BEGIN HIDDEN TESTS\nassert f(3) == 6\n### END HIDDEN TESTS")
    assert nbu.secret_lines(cell) == ["    y = x * 2", "assert f(3) == 6"]


def test_a_solution_cell_without_markers_is_secret_as_a_whole():
    """nbgrader replaces such a cell entirely, so all of it is an answer."""
    assert nbu.secret_lines(_solution_cell("answer = 42\nprint(answer)")) == ["answer = 42", "print(answer)"]


def test_leak_check_names_the_line_and_both_cells():
    source = new_notebook(cells=[_solution_cell("### BEGIN SOLUTION\nanswer = compute_it(7)\n### END SOLUTION")])
    release = new_notebook(cells=[new_markdown_cell("Try `x`:\n\nanswer = compute_it(7)")])
    result = check_no_leaks([("src.ipynb", source)], [("rel.ipynb", release)])
    assert result.problems == ("rel.ipynb cell 0 contains `answer = compute_it(7)` "
                               "(secret line of src.ipynb cell 0 (answer))",)


def test_clean_sources_flags_outputs_counts_and_missing_ids(tmp_path):
    """Is a notebook without cell ids (nbformat 4.4) flagged, since its release would not be stable?"""
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "source": "x = 1", "execution_count": 4,
                   "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 4}))
    problems = check_clean_sources([path]).problems
    assert problems == ("old.ipynb cell 0 has no cell id (nbformat < 4.5), so every release would differ",
                        "old.ipynb cell 0 has saved outputs",
                        "old.ipynb cell 0 has an execution count")


def test_report_renders_ticks_crosses_problems_and_fixes():
    report = ValidationReport("42_demo", "smoke", [
        CheckResult("the first thing holds"),
        CheckResult("the second thing holds", ("cell 3 is wrong",), "do this"),
    ])
    assert not report.ok
    assert report.render() == ("42_demo [profile smoke]: validation FAILED (1 of 2 checks)\n"
                               "  ✓ the first thing holds\n"
                               "  ✗ the second thing holds\n"
                               "      - cell 3 is wrong\n"
                               "      → do this")


def _graded_notebook(hidden: str):
    import nbformat

    setup = nbformat.v4.new_code_cell('ASSIGNMENT = "07_new_week"')
    test = nbformat.v4.new_code_cell(f"assert True\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "test_gram", "locked": True, "points": 1,
                                 "schema_version": 3, "solution": False, "task": False}
    return nbformat.v4.new_notebook(cells=[setup, test])


@pytest.mark.parametrize("hidden", ['judge.submit(ASSIGNMENT, "gram", lambda x: gram(x))',
                                    'judge.submit("07_new_week", "gram", gram)'])
def test_a_judge_call_naming_its_own_check_passes(hidden):
    check = types.SimpleNamespace(id="gram", points=1)
    result = validation.check_grading_contract("07_new_week", [("nb", _graded_notebook(hidden))], [check])
    assert not result.problems, result.problems


@pytest.mark.parametrize("hidden, named", [('judge.submit("00_setup", "gram", gram)', "'00_setup', 'gram'"),
                                           ('judge.submit(ASSIGNMENT, "one_hot", gram)', "'07_new_week', 'one_hot'"),
                                           ('judge.submit_artifact(ASSIGNMENT, "gram_model")', "'gram_model'")])
def test_a_judge_call_copied_from_another_cell_or_week_is_named(hidden, named):
    """A test cell copied from another week (or cell) that still names the old check grades nothing:
    validate says which call, and what it must name."""
    check = types.SimpleNamespace(id="gram", points=1)
    result = validation.check_grading_contract("07_new_week", [("nb", _graded_notebook(hidden))], [check])
    assert len(result.problems) == 1 and named in result.problems[0], result.problems
    assert "it must name ('07_new_week', 'gram')" in result.problems[0]


WEEKS = release.list_assignments(ROOT)


@pytest.mark.parametrize("assignment", WEEKS)
def test_every_week_meets_the_grading_contract(assignment):
    """Every week in solutions/ (a new one too, with no test file of its own): test cells and hidden
    checks match one to one, points agree, and each judge call names its own assignment and check."""
    checks = validate.load_checks(assignment, ROOT)
    path = ROOT / "solutions" / assignment / f"{assignment}.ipynb"
    result = validation.check_grading_contract(assignment, [(path.name, nbu.read(path))], checks)
    assert not result.problems, result.problems


def test_clean_outputs_flags_tensorflow_log_lines_and_progress_bars():
    """Does validate catch the noise a student would see: absl's lines and a progress bar's backspaces?"""
    def executed(*texts):
        cell = new_code_cell("model.fit(x, y)")
        cell.outputs = [nbformat_stream(text) for text in texts]
        return nbu.Execution(new_notebook(cells=[cell]), None)

    def nbformat_stream(text):
        from nbformat.v4 import new_output
        return new_output("stream", name="stderr", text=text)

    noisy = executed("I0000 00:00:1796190463.412652   16679 port.cc:153] oneDNN custom operations are on.\n",
                     "1/8 [==>....]\x08\x08\x08\x08 2/8 [=====>..]\r")
    problems = validation.check_clean_outputs("nb.ipynb", noisy).problems
    assert len(problems) == 2 and "log line" in problems[0] and "control characters" in problems[1], problems
    clean = executed("Epoch 1/2\n469/469 - 3s - loss: 0.31\r\n", "✓ out: max relative error 1.2e-16\n")
    assert validation.check_clean_outputs("nb.ipynb", clean).ok


def test_the_blank_check_flags_course_utils_tracebacks_and_failing_self_checks():
    """Does validate's blank run find what a student should never see: a traceback through
    course_utils, and a self-check that fails (stopping Run All)? One-line errors and a cascade
    NameError pass."""
    from nbformat.v4 import new_output

    def cell(source, ename, traceback):
        code = new_code_cell(source)
        code.outputs = [new_output("error", ename=ename, evalue="…", traceback=traceback)]
        return code

    deep = ["-----", "Cell In[3], line 1", "File /x/course_utils/training.py:12, in load_artifact", "Error"]
    notebook = new_notebook(cells=[
        cell("model = training.load_artifact('m.keras')", "ValueError", deep),
        cell("# Self-check: the shape\ncheck_shape('x', x, (2,))", "TypeError", ["-----", "TypeError: x"]),
        cell("fit(model)", "NotImplementedError", ["\x1b[34m○ build_model is not attempted yet\x1b[0m"]),
        cell("plotting.show(lambda z: decoder(z))", "NameError", deep),
        cell("assert add(1, 2) == 3\nfrom course_utils import judge", "NotImplementedError",  # its source, no frame
             ["-----", "----> 1 assert add(1, 2) == 3", "      2 from course_utils import judge", "NotImplementedError"]),
    ])
    problems = validation.check_blank_speaks_plainly("rel.ipynb", nbu.Execution(notebook, None)).problems
    assert len(problems) == 2, problems
    assert "cell 0" in problems[0] and "traceback through course_utils" in problems[0]
    assert "cell 1" in problems[1] and "self-check that fails" in problems[1]


def test_a_release_that_ships_a_checked_file_fails_the_end_to_end_check():
    """(7) no longer grades the blank: its zero rests on (3) and on the release holding no file an
    artifact check judges. A shipped model is a finding; a full-marks source alone is not."""
    from autograder.records.results import ItemResult, Outcome, SubmissionResult

    full = SubmissionResult(student="solution", assignment="02_cnn_classification", outcome=Outcome.GRADED,
                            tests=[ItemResult("mnist_cnn", 4, 4.0, "ok", kind="artifact")])
    assert validation.check_graded_end_to_end("02_cnn_classification", full, [], "4.0 GiB, 900 s").ok
    shipped = validation.check_graded_end_to_end("02_cnn_classification", full, ["mnist_cnn.keras"],
                                                 "4.0 GiB, 900 s")
    assert not shipped.ok and "mnist_cnn.keras" in shipped.problems[0]


def test_every_release_ships_none_of_the_files_its_artifact_checks_judge():
    """What the end-to-end check looks for, on every week's checked-in release."""
    from autograder.verdicts import judging

    for week in release.list_assignments():
        blank = validate.REPO_ROOT / release.RELEASE_DIR / week
        shipped = [c.path for c in validate.load_checks(week, validate.REPO_ROOT)
                   if isinstance(c, judging.ArtifactCheck) and (blank / c.path).exists()]
        assert shipped == [], f"{week}'s release ships {shipped}"
