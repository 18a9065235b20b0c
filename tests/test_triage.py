"""Does the class report triage: "needs attention" first, tests in notebook order with their
reasons grouped, a student × test matrix? Unit questions on small classes, then a generated class
of 300 (SubmissionResult rows written straight into a gradebook, no notebook graded) opened in
headless Chromium (Playwright, Debian's chromium: no browser download)."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest

from autograder.pages import attention, feedback, report, triage
from autograder.records import gradebook
from autograder.records.gradebook import GradebookWriter, GradedCell
from autograder.records.results import ItemResult, Outcome, SubmissionResult

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "browser"
ASSIGNMENT = "00_demo"
# Notebook order on purpose not alphabetical: the report must keep it.
TESTS = [("test_scale", 2.0), ("test_one_hot", 3.0), ("test_conv", 4.0), ("test_model", 1.0)]
CELLS = [GradedCell(ASSIGNMENT, name, points) for name, points in TESTS]

ESCAPE_CODE = """import socket, urllib.request
for path in ['/course/solutions/00_demo/00_demo.ipynb', '/course/grading/gradebook.db']:
    try:
        open(path).read()
    except OSError as exc:
        print('blocked', type(exc).__name__)
socket.create_connection(('1.1.1.1', 53), timeout=3)
"""
HONEST_CODE = """import numpy as np
def scale(images):  # reads ../data? no: only its argument
    return np.asarray(images, dtype='float32') / 255.0
"""


def item(name: str, points: float, score: float, message: str = "") -> ItemResult:
    return ItemResult(name, points, score, message or (f"{name}: passed" if score >= points else f"{name}: wrong"))


def full(student: str, **changes) -> SubmissionResult:
    tests = [item(name, points, points) for name, points in TESTS]
    return replace(SubmissionResult(student, ASSIGNMENT, Outcome.GRADED, tests=tests, profile="smoke",
                                    seconds=20.0, peak_memory_bytes=400 * 2**20), **changes)


def executed(folder: Path, student: str, code: str, output: str = "") -> str:
    """An executed notebook as the grader keeps it: a locked course cell, then the student's cell."""
    notebook = nbformat.v4.new_notebook()
    course = nbformat.v4.new_code_cell("import socket  # the course's own locked cell: not the student's")
    course.metadata["nbgrader"] = {"locked": True, "grade": False, "solution": False, "grade_id": "setup"}
    answer = nbformat.v4.new_code_cell(code)
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": "answer"}
    if output:
        answer.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    notebook.cells = [course, answer]
    path = folder / "executed" / f"{student}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return str(path)


# ----- unit questions ------------------------------------------------------------------------------

def test_shorten_never_cuts_a_word() -> None:
    text = "the convolution's output is flipped: did you correlate instead of convolving the kernel?"
    short = triage.shorten(text, 40)
    assert len(short) <= 40 and short.endswith("…")
    words = [word.strip(":,;?") for word in text.split()]
    assert short[:-1].split()[-1] in words, short                  # the last word is whole
    assert text[:39].split()[-1] not in words                      # where a plain cut would have fallen
    assert triage.shorten("a  b\nc", 40) == "a b c"


def test_reasons_that_differ_only_in_numbers_are_one_group(tmp_path: Path) -> None:
    results = [full(f"s{i}", tests=[item("test_scale", 2, 2), item("test_one_hot", 3, 0, f"one_hot: wrong at row {i}"),
                                     item("test_conv", 4, 0, "conv: the kernel is not flipped"), item("test_model", 1, 1)])
               for i in range(5)]
    results.append(full("t", outcome=Outcome.TAMPERING, reason="points changed"))
    (scale, one_hot, conv, model) = triage.summarize_tests(results)
    assert [t.name for t in (scale, one_hot, conv, model)] == [name for name, _ in TESTS]   # notebook order
    assert one_hot.reasons[0].text == "one_hot: wrong at row 0" and len(one_hot.reasons[0].students) == 5
    assert one_hot.reasons[0].numbers_vary and not conv.reasons[0].numbers_vary
    assert [r.text for r in scale.reasons] == ["not judged: tampering"] and scale.passed == 5
    # Five different messages, one reason (the raw message as key would give five groups of one):
    assert len({t.message for r in results for t in r.tests if t.id == "test_one_hot"}) == 6
    assert [len(r.students) for r in one_hot.reasons] == [5, 1] and one_hot.pass_rate == 0


def test_needs_attention_names_each_kind_and_spares_honest_work(tmp_path: Path) -> None:
    results = [full(f"ok{i:02d}", seconds=20.0 + i % 3) for i in range(12)]
    results[0] = replace(results[0], executed_notebook=executed(tmp_path, "ok00", HONEST_CODE))
    results += [
        full("escape", executed_notebook=executed(tmp_path, "escape", ESCAPE_CODE, "blocked PermissionError\n")),
        full("tamper", outcome=Outcome.TAMPERING, reason="The points of test_conv were changed."),
        full("slow", seconds=400.0),
        full("hog", peak_memory_bytes=3 * 2**30),
        full("stuck", outcome=Outcome.TIMEOUT, reason="A cell ran longer than 20 s", seconds=45.0),
        full("ours", outcome=Outcome.GRADER_ERROR, reason="the grading worker crashed"),
        full("shadow", notes=["The folder's own copy of course_utils/ was ignored; the course's version is used."]),
    ]
    flags = attention.needs_attention(results, tmp_path / "report")
    assert [(f.kind, f.student) for f in flags] == [
        ("tampering", "tamper"), ("escape attempt", "escape"), ("escape attempt", "shadow"),
        ("grader error", "ours"), ("timeout", "stuck"), ("slow outlier", "slow"), ("memory outlier", "hog")]
    escape = flags[1]
    assert "the network" in escape.detail and "files outside its folder" in escape.detail
    assert "PermissionError" in escape.detail and escape.cost == "nothing: flagged for review"
    assert escape.notebook == "../executed/escape.ipynb"
    timeout = next(f for f in flags if f.kind == "timeout")
    assert "kept 10 / 10" in timeout.cost   # a timeout costs only what did not run


def test_a_small_class_has_no_outliers() -> None:
    results = [full("a", seconds=10.0), full("b", seconds=500.0)]
    assert attention.needs_attention(results, Path("/tmp")) == []


# ----- a generated class of 300 in Chromium ---------------------------------------------------------

MESSAGES = {
    "test_scale": ["scale: the pixels are not in [0, 1] (max {n})", "scale: returns uint8, expected float32"],
    "test_one_hot": ["one_hot: the class index is off by one (row {n})", "one_hot: shape ({n}, 10) expected"],
    "test_conv": ["conv: the kernel is not flipped: did you correlate instead of convolving? max error {n}.{n}",
                  "conv: SAME padding with an odd total is shifted by one pixel on the right and the bottom edge"],
    "test_model": ["model: accuracy {n} % on the held-out split, below the 97 % bar"],
}
SPECIAL = {"s007": "escape", "s042": "tamper", "s100": "timeout", "s150": "grader", "s200": "slow", "s250": "hog"}


def generated_class(folder: Path) -> tuple[str, list[SubmissionResult]]:
    """300 students with realistic mistakes, six of them needing attention, written to a gradebook."""
    rng = random.Random(30)
    results = []
    for index in range(300):
        student = f"s{index:03d}"
        tests = []
        for name, points in TESTS:
            if rng.random() < 0.7:
                tests.append(item(name, points, points))
            else:
                message = rng.choice(MESSAGES[name]).format(n=rng.randint(2, 99))
                tests.append(item(name, points, rng.choice([0.0, points / 2]), message))
        result = full(student, tests=tests, seconds=rng.uniform(15, 30),
                      peak_memory_bytes=int(rng.uniform(350, 450) * 2**20))
        kind = SPECIAL.get(student)
        if kind == "escape":
            result = replace(result, executed_notebook=executed(folder, student, ESCAPE_CODE, "blocked PermissionError"))
        elif kind == "tamper":
            result = replace(result, outcome=Outcome.TAMPERING, reason="The points of test_conv were changed.")
        elif kind == "timeout":
            result = replace(result, outcome=Outcome.TIMEOUT, seconds=45.0,
                             reason="A cell ran longer than the 20 s allowed per cell (the 1st code cell under "
                                    "“Exercise 0.3 — a convolution”).")
        elif kind == "grader":
            result = replace(result, outcome=Outcome.GRADER_ERROR, reason="the grading worker crashed (OSError)")
        elif kind == "slow":
            result = replace(result, seconds=600.0)
        elif kind == "hog":
            result = replace(result, peak_memory_bytes=5 * 2**30)
        if result.executed_notebook is None and kind:
            result = replace(result, executed_notebook=executed(folder, student, HONEST_CODE))
        results.append(result)
    url = gradebook.default_url(folder)
    with GradebookWriter(url, ASSIGNMENT, CELLS) as writer:
        for result in results:
            writer.record(result)
    for result in results:
        feedback.write_feedback(result, folder / "feedback", folder)
    return url, results


def _visible(page, selector: str) -> list[list[str]]:
    rows = page.locator(f"{selector} tbody tr:not([hidden])")
    return [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]


@pytest.mark.slow   # about 45 s on 2 cores, most of it the gradebook writer's 300 transactions (~130 ms each)
def test_the_report_of_300_triages_in_a_browser(browser, tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("class300")
    url, results = generated_class(folder)
    path = report.write_report(url, ASSIGNMENT, folder / "report", feedback_dir=folder / "feedback")
    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(path.resolve().as_uri())
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "triage_300_top.png"))

    # Needs attention comes first, most serious first, each linked to the executed notebook.
    headings = page.locator("h2").all_inner_texts()
    assert headings[0] == "Needs attention (6)", headings
    flags = [(row[0], row[1]) for row in _visible(page, "#attention-list")]
    assert flags == [("tampering", "s042"), ("escape attempt", "s007"), ("grader error", "s150"),
                     ("timeout", "s100"), ("slow outlier", "s200"), ("memory outlier", "s250")]
    escape = page.locator("#attention-list tr", has_text="s007")
    assert "nothing: flagged for review" in escape.inner_text()
    for link in page.locator("#attention-list a", has_text="executed notebook").all():
        assert (path.parent / link.get_attribute("href")).resolve().is_file()
    assert page.locator("#attention-list a", has_text="executed notebook").count() == 6

    # Tests in notebook order, reasons grouped with counts that add up, none cut mid-word.
    summary = page.locator("#test-summary tbody tr")
    assert [summary.nth(i).locator("td").first.inner_text() for i in range(4)] == [n for n, _ in TESTS]
    expected = triage.summarize_tests(results)
    for index, test in enumerate(expected):
        counts = [int(x) for x in summary.nth(index).locator(".count").all_inner_texts()]
        assert counts == [len(r.students) for r in test.reasons] and counts == sorted(counts, reverse=True)
        assert sum(counts) + test.others + test.passed == 300
    conv = summary.nth(2).inner_text()
    assert "did you correlate instead of convolving?" in conv and "(numbers vary)" in conv
    for reason in page.locator("#test-summary li").all_inner_texts():
        text = reason.split("× ", 1)[1].removesuffix(" (numbers vary)")
        assert not text.endswith("…") or text[:-1].split()[-1].isalpha() or text[:-1][-1] in ".,:)?"

    # The matrix: 300 rows; sort by a test; filter by text and by a failed test.
    assert len(_visible(page, "#matrix-table")) == 300
    page.locator("#matrix-table th", has_text="conv").click()
    page.locator("#matrix-table th", has_text="conv").click()                      # descending
    column = [float(v) for v in page.eval_on_selector_all(
        "#matrix-table tbody tr td:nth-child(6)", "cells => cells.map(c => c.dataset.value)")]
    assert column == sorted(column, reverse=True) and column[0] == 4.0
    failing_conv = sum(1 for r in results if next(t for t in r.tests if t.id == "test_conv").score < 4
                       or not r.outcome.keeps_item_scores)
    page.select_option("#matrix-failing", label="lost points on test_conv")
    assert len(_visible(page, "#matrix-table")) == failing_conv == int(page.inner_text("#matrix-count"))
    page.fill("#matrix-filter", "tampering")
    assert [row[0] for row in _visible(page, "#matrix-table")] == ["s042"]
    page.locator("#matrix").scroll_into_view_if_needed()
    page.fill("#matrix-filter", "")
    page.screenshot(path=str(SHOTS / "triage_300_matrix.png"), full_page=False)
    page.screenshot(path=str(SHOTS / "triage_300_full.png"), full_page=True)
    assert not problems, problems
