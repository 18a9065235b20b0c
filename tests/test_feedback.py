"""Questions about feedback pages and the class report: useful to students, never a leak."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

import cohort
from autograder import feedback, notebooks, report
from autograder.results import ItemResult, Outcome, SubmissionResult


def result(**kwargs) -> SubmissionResult:
    base = dict(student="alice", assignment="00_demo", outcome=Outcome.GRADED, profile="smoke",
                tests=[ItemResult("test_add", 2.0, 2.0, "add is correct on every hidden input"),
                       ItemResult("test_mul", 3.0, 0.0, "mul: wrong sign")])
    return SubmissionResult(**{**base, **kwargs})


def test_a_page_shows_total_tests_points_and_messages() -> None:
    page = feedback.render_feedback(result(isolation=["network cut"], notes=["Cell test_mul was restored."]))
    assert "Total: 2 / 5" in page and "add is correct" in page and "mul: wrong sign" in page
    assert "0 / 3" in page and "network cut" in page and "Cell test_mul was restored." in page
    assert "Profile: smoke" in page


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
    page = feedback.render_feedback(result(outcome=Outcome.TIMEOUT, reason="A cell ran longer than 45 s."))
    assert "Total: 0 / 5" in page and "time limit" in page and "A cell ran longer than 45 s." in page
    assert "2 / 2" not in page


def test_the_report_counts_outcomes_and_pass_rates() -> None:
    stats = report.item_stats([result(), result(student="bob", outcome=Outcome.KERNEL_DIED)])
    assert [(s.name, s.passed, s.students) for s in stats] == [("test_add", 1, 2), ("test_mul", 0, 2)]
    assert stats[0].pass_rate == 0.5


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
