"""Do the TA's class report and the students' feedback pages work in a real browser?

Debian's Chromium, driven headless by Playwright (``executable_path``: no browser download),
opens the demo class's report and two feedback pages as files: no console error or uncaught
exception, the numbers the gradebook holds, sorting by score both ways, filtering by text, a
link from the table to each feedback page. Screenshots land in ``build/browser/`` (git-ignored)
for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import cohort

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "browser"


@pytest.fixture(scope="module")
def graded():
    cohort.skip_without_data()
    return cohort.graded_class().gradings[cohort.ASSIGNMENT]


def _open(browser, path: Path):
    """A page showing ``path``, and the list its console errors and uncaught exceptions go to."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(path.resolve().as_uri())
    return page, problems


def _scores(page) -> list[tuple[str, float]]:
    rows = page.locator("#students tbody tr:not([hidden])")
    return [(rows.nth(i).locator("td").nth(0).inner_text(),
             float(rows.nth(i).locator("td").nth(1).get_attribute("data-value"))) for i in range(rows.count())]


def test_the_class_report_sorts_filters_and_shows_the_gradebook(browser, graded):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page, problems = _open(browser, graded.report_path)
    expected = {r.student: r.score for r in graded.results}
    shown = dict(_scores(page))
    assert shown == pytest.approx(expected), "the table's scores are not the gradebook's"
    page.locator("#students th", has_text="score").click()
    ascending = [score for _, score in _scores(page)]
    assert ascending == sorted(ascending)
    page.locator("#students th", has_text="score").click()
    descending = _scores(page)
    assert [s for _, s in descending] == sorted(expected.values(), reverse=True)
    assert descending[0][1] == max(expected.values()) and dict(descending)["solution"] == descending[0][1]
    page.screenshot(path=str(SHOTS / "report_sorted_by_score.png"), full_page=True)
    page.fill("#filter", "timeout")
    assert [student for student, _ in _scores(page)] == ["infinite_loop"]
    page.screenshot(path=str(SHOTS / "report_filtered_timeout.png"), full_page=True)
    page.fill("#filter", "")
    assert len(_scores(page)) == len(expected)
    links = page.locator("#students a", has_text="page")
    assert links.count() == len(expected)
    target = (graded.report_path.parent / links.first.get_attribute("href")).resolve()
    assert target.name == "feedback.html" and target.is_file()
    assert not problems, problems


@pytest.mark.parametrize("student, says", [("solution", "2 / 2"), ("infinite_loop", "45 s")])
def test_feedback_pages_show_the_score_and_the_reason(browser, graded, student, says):
    result = next(r for r in graded.results if r.student == student)
    page, problems = _open(browser, graded.feedback_dir / student / "feedback.html")
    text = page.inner_text("body")
    assert f"Total: {result.score:g} / {result.max_score:g}" in text
    assert says in text, text[:500]
    page.screenshot(path=str(SHOTS / f"feedback_{student}.png"), full_page=True)
    assert not problems, problems
