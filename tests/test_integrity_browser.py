"""Does the TA's integrity page work in a real browser, reached from the class report?

Debian's Chromium, headless through Playwright (as tests/test_browser.py): the report links to the page,
the page shows the planted pairs side by side with marked code, the port of a reference text and the two
library calls, with no console error. A screenshot lands in ``build/browser/integrity.png``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.grading import grade_class as grading
from test_integrity import REFERENCES, ROOT, WEEK, build_class, stand_in_grade

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_report_links_to_a_readable_integrity_page(tmp_path: Path) -> None:
    pytest.importorskip("playwright")
    if CHROMIUM is None:
        pytest.skip("no chromium here: make system-deps")
    from playwright.sync_api import sync_playwright

    course = tmp_path / "course"
    (course / "assignments" / WEEK).mkdir(parents=True)
    shutil.copy(ROOT / "assignments" / WEEK / f"{WEEK}.ipynb", course / "assignments" / WEEK)
    shutil.copytree(REFERENCES, course / "integrity" / "references")
    build_class(tmp_path / "class")
    graded = grading.grade_class(WEEK, tmp_path / "class", root=course, out_dir=tmp_path / "out", workers=1,
                                 grade_fn=stand_in_grade, progress=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(graded.report_path.resolve().as_uri())
        page.click("text=Integrity signals")
        page.wait_for_load_state()
        assert page.url.endswith("/report/integrity.html")
        assert page.locator("h3", has_text="max_pool").count() == 2          # alice/bob, and frank's port
        assert page.locator(".pair").count() == 8                            # seven copied cells, one port
        assert page.locator(".pair mark").count() > 10
        rows = page.locator("#calls tr").all_inner_texts()
        assert len(rows) == 3 and "dave" in rows[1] and "tf.nn.conv2d" in rows[1] and "erin" in rows[2]
        shots = ROOT / "build" / "browser"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "integrity.png"), full_page=True)
        browser.close()
    assert problems == []
