"""Questions about feedback pages and the class report: useful to students, never a leak."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import cohort
from autograder.pages import feedback, report
from autograder.sources import notebooks
from autograder.records.results import ItemResult, Outcome, SubmissionResult


def result(**kwargs) -> SubmissionResult:
    base = dict(student="alice", assignment="00_demo", outcome=Outcome.GRADED, profile="smoke",
                tests=[ItemResult("test_add", 2.0, 2.0, "add is correct on every hidden input"),
                       ItemResult("test_mul", 3.0, 0.0, "mul: wrong sign")])
    return SubmissionResult(**{**base, **kwargs})


def test_a_page_shows_total_tests_points_and_messages() -> None:
    page = feedback.render_feedback(result(isolation=["bubblewrap: network cut", "NOT in force: a cgroup per run",
                                                      "limits: 600 s per cell"], notes=["Cell test_mul was restored."]))
    assert "Total: 2 / 5" in page and "add is correct" in page and "mul: wrong sign" in page
    assert "0 / 3" in page and "Cell test_mul was restored." in page
    assert "Profile: smoke" in page
    # the walls in force are the TA's (class report); a missing one and the run's bounds are the student's too
    assert "network cut" not in page and "NOT in force: a cgroup per run" in page and "600 s per cell" in page


def test_tracebacks_and_hidden_blocks_are_cut_from_messages() -> None:
    """Would a traceback quoting the grade cell reach the student? Only its plain lines do."""
    message = ("AssertionError: wrong shape\nTraceback (most recent call last):\n"
               '  File "/tmp/x.py", line 3, in <module>\n'
               "----> 3 judge.submit('00_setup', 'one_hot', lambda labels: one_hot(labels))\n"
               "      4 secret_reference = 42\n"
               "### BEGIN HIDDEN TESTS\nassert one_hot(hidden) == expected\n### END HIDDEN TESTS\n"
               "\x1b[0;31mhint: use num_classes\x1b[0m")
    cleaned = feedback.clean_message(message)
    assert cleaned == "AssertionError: wrong shape\nhint: use num_classes"


def test_student_text_is_escaped() -> None:
    """A message or name carrying HTML cannot run script in the TA's browser."""
    page = feedback.render_feedback(result(student="bob", tests=[
        ItemResult("test_add", 1.0, 0.0, "<script>alert('x')</script>")]))
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_a_zero_outcome_says_why_and_shows_no_item_points() -> None:
    page = feedback.render_feedback(result(outcome=Outcome.OUT_OF_MEMORY, reason="The notebook used more than 2 GiB."))
    assert "Total: 0 / 5" in page and "memory limit" in page and "The notebook used more than 2 GiB." in page
    assert "2 / 2" not in page


def test_a_timeout_keeps_the_tests_that_ran_before_it() -> None:
    """Does a timeout's page count the tests that finished before it, and say why the rest scored zero?"""
    stopped = "No points: A cell ran longer than 45 s. The tests that ran before it keep their points."
    timed_out = result(outcome=Outcome.TIMEOUT, reason="A cell ran longer than 45 s.",
                       tests=[ItemResult("test_add", 2.0, 2.0, "add is correct on every hidden input"),
                              ItemResult("test_mul", 3.0, 0.0, stopped)])
    assert timed_out.score == 2.0
    page = feedback.render_feedback(timed_out)
    assert "Total: 2 / 5" in page and "the tests it stopped scored zero" in page
    assert "add is correct" in page and "A cell ran longer than 45 s. The tests that ran" in page
    assert [s.passed for s in report.item_stats([timed_out])] == [1, 0]


def test_the_report_counts_outcomes_and_pass_rates() -> None:
    stats = report.item_stats([result(), result(student="bob", outcome=Outcome.KERNEL_DIED)])
    assert [(s.name, s.passed, s.students) for s in stats] == [("test_add", 1, 2), ("test_mul", 0, 2)]
    assert stats[0].pass_rate == 0.5


def test_a_written_answer_is_named_as_its_question_and_counts_in_no_pass_rate() -> None:
    """A 0-point answer cell (answer_2_1) is 'Question 2.1' on the feedback page, marked read by the TA,
    and is left out of the report's per-test pass rates (there is nothing to pass)."""
    from autograder.submission.grade import UNSCORED_ANSWER_MESSAGE

    answered = result(tests=[ItemResult("test_add", 2.0, 2.0, "add is correct"),
                             ItemResult("answer_2_1", 0.0, 0.0, UNSCORED_ANSWER_MESSAGE, kind="manual")])
    page = feedback.render_feedback(answered)
    assert "Question 2.1" in page and "read by your TA" in page and 'class="answer"' in page
    assert "Total: 2 / 2" in page
    assert [s.name for s in report.item_stats([answered])] == ["test_add"]


def secret_lines() -> set[str]:
    """Non-trivial lines of the hidden tests, the solutions and the hidden checks of 00_setup."""
    source = nbformat.read(cohort.REPO / "solutions" / cohort.ASSIGNMENT / f"{cohort.ASSIGNMENT}.ipynb", 4)
    lines = [line for cell in source.cells for line in notebooks.secret_lines(cell)]
    lines += (cohort.REPO / "autograder" / "checks" / f"{cohort.ASSIGNMENT}.py").read_text().splitlines()
    return {line.strip() for line in lines if not notebooks.is_trivial(line)}


def page_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", path.read_text()))


@pytest.mark.slow
def test_no_feedback_page_quotes_hidden_tests_or_checks() -> None:
    """Compare every page of the graded class with the hidden sources: none of their lines appear."""
    cohort.skip_without_data()
    graded = cohort.graded_class().gradings[cohort.ASSIGNMENT]
    secrets = secret_lines()
    assert len(secrets) > 10
    pages = sorted(graded.feedback_dir.glob("*/feedback.html"))
    assert len(pages) >= 10
    for page in pages:
        text = page_text(page)
        leaked = [line for line in secrets if line in text]
        assert not leaked, f"{page.parent.name}: {leaked}"
    hidden = [line.strip() for cell in nbformat.read(
        cohort.REPO / "solutions" / cohort.ASSIGNMENT / f"{cohort.ASSIGNMENT}.ipynb", 4).cells
        for line in notebooks.marked_lines(cell.source, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")]
    for executed in (graded.out_dir / "executed").glob("*.ipynb"):
        text = executed.read_text()
        assert not [line for line in hidden if line and line in text], executed.name


# ----- no leaks: what a student's code writes never reaches the page --------------------------------

HIDDEN_VALUES = np.array([[0.8125, -3.1416], [271.828, 1e-07]])


def leaky_check(judge=None):
    """A function check with one hidden case whose values must stay secret."""
    from autograder.verdicts.judging import FunctionCheck, Verdict

    return FunctionCheck("scale", 2.0, "scale x", make_cases=lambda rng: [{"x": HIDDEN_VALUES, "factor": 7.25}],
                         judge=judge or (lambda cases, results: Verdict(True, "scale is correct.")))


def value_texts() -> list[str]:
    return ["0.8125", "3.1416", "271.8", "1e-07", "7.25", "### BEGIN HIDDEN TESTS", "judge.submit"]


@pytest.mark.parametrize("error", [
    f"ValueError: {HIDDEN_VALUES.tolist()} times 7.25",
    "ValueError: ### BEGIN HIDDEN TESTS\njudge.submit('x', 'scale', scale)\n0.8125 -3.1416",
    "__main__.V0_8125_3_1416: 271.828 7.25",                       # a type made at run time to carry values
])
def test_a_student_error_on_hidden_inputs_shows_no_hidden_value(error: str) -> None:
    """Would ``raise ValueError(repr(x))`` put the hidden inputs on the page? Only the type and shapes go."""
    from autograder.verdicts import judging
    from course_utils.judge import CaseResult

    check = leaky_check()
    verdict = judging._safe_judge(check, check.make_cases(None), [CaseResult(None, error, 0.01)])
    assert not verdict.passed
    assert "x of shape (2, 2)" in verdict.message and "1 of 1 hidden inputs" in verdict.message
    assert ("ValueError" in verdict.message) == error.startswith("ValueError")
    page = feedback.render_feedback(result(tests=[ItemResult("test_scale", 2.0, 0.0, verdict.message)]))
    for text in value_texts() + ["V0_8125"]:
        assert text not in verdict.message and text not in page, text


def test_an_error_while_comparing_shows_no_reference_value() -> None:
    """A judge that fails on an odd output (its text quoting the reference) reports the type and the
    returned values' ranks only (their dimensions may come from hidden data, issue 28)."""
    from autograder.verdicts import judging
    from course_utils.judge import CaseResult

    def judge(cases, results):
        raise AssertionError(f"arrays differ: reference {cases[0]['x'] * cases[0]['factor']}")

    verdict = judging._safe_judge(leaky_check(judge), leaky_check().make_cases(None),
                                  [CaseResult((np.zeros(3),), None, 0.01)])
    assert "AssertionError" in verdict.message and "rank(s) 1" in verdict.message and "(3,)" not in verdict.message
    assert not any(text in verdict.message for text in ["5.89", "1970", "0.8125"]), verdict.message


@pytest.mark.parametrize("message", [
    "scale: wrong\n### BEGIN HIDDEN TESTS\nassert scale(hidden) == expected",          # block cut short
    "assert scale(hidden) == expected\n### END HIDDEN TESTS\nscale: wrong",            # a block's tail
    "scale: wrong\n### BEGIN SOLUTION\nreturn x * factor\n### END SOLUTION",
    "scale: wrong\nassert np.allclose(scale(x), x * 7.25)\n    lambda x: scale(x)",
    "scale: wrong\nhidden = np.random.default_rng(3).normal(size=(4, 4))",
])
def test_messages_quoting_hidden_source_keep_only_the_explanation(message: str) -> None:
    assert feedback.clean_message(message) == "scale: wrong"


def test_a_line_of_this_course_s_hidden_tests_is_cut_even_unmarked() -> None:
    """Quoting a hidden-test line of 00_setup with no marker and no code shape still gets it cut."""
    hidden = [line.strip() for cell in nbformat.read(
        cohort.REPO / "solutions" / cohort.ASSIGNMENT / f"{cohort.ASSIGNMENT}.ipynb", 4).cells
        for line in notebooks.marked_lines(cell.source, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")]
    quoted = [line for line in hidden if "(" in line and len(line) > 20]
    assert quoted
    secrets = feedback.hidden_source_lines(cohort.REPO, cohort.ASSIGNMENT)
    for line in quoted:
        message = f"normalize_images: the dtype is not float32\nyou wrote: {line[:60]}"
        assert feedback.clean_message(message, secrets) == "normalize_images: the dtype is not float32"
    page = feedback.render_feedback(result(assignment=cohort.ASSIGNMENT, tests=[
        ItemResult("test_one_hot", 1.0, 0.0, f"one_hot: wrong\nsee {quoted[0]}")]), cohort.REPO)
    assert quoted[0] not in html.unescape(page) and "one_hot: wrong" in page


def test_the_checks_own_messages_survive_cleaning() -> None:
    secrets = feedback.hidden_source_lines(cohort.REPO, cohort.ASSIGNMENT)
    for message in ["normalize_images: for input shape (4, 28, 28) the output has shape (4, 28); return images "
                    "of the same shape.", "receptive_field: for layers [(3, 1), (2, 2)] expected (size, jump) = "
                    "(4, 2), got (3, 2).", "conv_speed: naive 1.2 s, vectorised 0.01 s (120x faster)."]:
        assert feedback.clean_message(message, secrets) == message


def test_an_unwritten_function_is_told_so() -> None:
    from autograder.verdicts import judging
    from course_utils.judge import CaseResult

    """The template's own raise (recorded by the harness) is "not attempted"; a library's
    NotImplementedError is named with its type instead."""
    verdict = judging._safe_judge(leaky_check(), leaky_check().make_cases(None),
                                  [CaseResult(None, "NotImplementedError", 0.0, not_attempted=True)])
    assert "not attempted yet" in verdict.message
    verdict = judging._safe_judge(leaky_check(), leaky_check().make_cases(None),
                                  [CaseResult(None, "NotImplementedError", 0.0)])
    assert "not attempted" not in verdict.message and "NotImplementedError" in verdict.message


def test_figures_of_grade_cells_never_reach_feedback(tmp_path):
    """Is a picture drawn in a grade cell (the instructor's hidden tests run there) left out of the
    figures handed back, while the student's own cells' pictures are kept?"""
    import base64

    import nbformat

    from autograder.submission import feedback_outputs

    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 32).decode()
    picture = nbformat.v4.new_output("display_data", data={"image/png": png})
    mine = nbformat.v4.new_code_cell("plot()", outputs=[picture])
    graded = nbformat.v4.new_code_cell("judge()", outputs=[picture],
                                       metadata={"nbgrader": {"grade": True, "solution": False,
                                                              "grade_id": "test_x", "points": 1}})
    nb = nbformat.v4.new_notebook(cells=[mine, graded])
    paths = feedback_outputs.figures(nb, tmp_path)
    assert [p.rsplit("/", 1)[-1] for p in paths] == ["cell000_0.png"]


def test_items_carry_their_exercise_title_and_figures_their_caption(tmp_path) -> None:
    """Does a student read "Exercise 0.1 — scale the pixels" (as in the notebook) beside each test,
    and under each figure the exercise it was drawn in, with a remark when the figure is empty?"""
    import matplotlib.image

    released = nbformat.read(cohort.REPO / "assignments" / "00_setup" / "00_setup.ipynb", as_version=4)
    index = next(i for i, cell in enumerate(released.cells) if notebooks.grade_id(cell) == "test_normalize_images")
    drawn, empty = tmp_path / f"cell{index:03d}_0.png", tmp_path / "cell000_0.png"
    matplotlib.image.imsave(drawn, np.random.default_rng(0).uniform(size=(8, 8)))
    matplotlib.image.imsave(empty, np.zeros((8, 8)), cmap="gray")
    page = feedback.render_feedback(result(assignment="00_setup", figures=[str(drawn), str(empty)],
                                           tests=[ItemResult("test_normalize_images", 1.0, 1.0, "right")]))
    assert "Exercise 0.1 — scale the pixels</" in page.replace("<br>", "</") and "(1 point)" not in page
    assert "Drawn under “Exercise 0.1 — scale the pixels”." in html.unescape(page)
    assert html.unescape(page).count("It is empty (one colour)") == 1


def test_figures_keep_the_cell_they_were_drawn_in_through_the_worker(tmp_path) -> None:
    """The worker ships figures back as bytes: a grader-written name (cell<NNN>_<k>.png) survives, so
    the feedback page can caption the figure with its exercise; anything else becomes figure_NN.png."""
    from autograder.grading import jobs

    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
    for name in ("cell012_1.png", "plot.png"):
        (tmp_path / name).write_bytes(png)
    shipped = jobs._read_figures([str(tmp_path / "cell012_1.png"), str(tmp_path / "plot.png")])
    assert list(shipped) == ["cell012_1.png", "figure_02.png"]
    caption = feedback.figure_caption(str(tmp_path / "cell012_1.png"), {12: "Exercise 2.4 — train it (4 points)"})
    assert caption.startswith("Drawn under “Exercise 2.4 — train it”")


def test_a_test_cell_is_titled_by_the_exercise_whose_answer_it_checks() -> None:
    """Week 2's test_conv_output_shape sits after Exercise 2.2's heading but checks Exercise 2.1's answer."""
    week = "02_cnn_classification"
    titles, _ = feedback.notebook_headings(Path(__file__).resolve().parents[1] / "assignments" / week / f"{week}.ipynb")
    assert titles["test_conv_output_shape"].startswith("Exercise 2.1")
    assert titles["test_conv_params"].startswith("Exercise 2.2")  # no answer cell of that name: its heading


def test_a_figure_whose_cell_failed_is_captioned_so(tmp_path) -> None:
    """A half-drawn figure is not presented as the answer: its caption says its cell stopped with an error."""
    cells = [nbformat.v4.new_markdown_cell("### Exercise 9.1 — a plot"), nbformat.v4.new_code_cell("plot()"),
             nbformat.v4.new_code_cell("plot_more()")]
    cells[1].outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="boom", traceback=[])]
    executed = tmp_path / "executed.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), str(executed))
    failed = feedback.failed_cells(str(executed))
    assert failed == frozenset({1})
    assert "stopped with an error" in feedback.figure_caption("cell001_0.png", {1: "Exercise 9.1"}, failed)
    assert "stopped with an error" not in feedback.figure_caption("cell002_0.png", {2: "Exercise 9.1"}, failed)


def test_a_failed_grade_cell_is_quoted_without_the_course_s_exception_class() -> None:
    """'CheckFailed: …' and 'NotAttempted: …' reach the student as their text; other errors stay whole."""
    from autograder.submission.outcomes import in_course_words

    assert in_course_words("NotAttempted: scale is not attempted yet") == "scale is not attempted yet"
    assert in_course_words("CheckFailed: `out` is not right yet") == "`out` is not right yet"
    assert in_course_words("AssertionError: wrong shape") == "AssertionError: wrong shape"
    assert in_course_words("ValueError") == "ValueError"
