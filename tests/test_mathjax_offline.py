"""Do formulas render in our HTML pages with no network (issue 31)?

MathJax comes from a copy beside each page (:mod:`autograder.pages.mathjax`). The browser tests open
a feedback page whose exercise title holds LaTeX and an executed notebook exported to HTML
(:mod:`autograder.pages.notebook_html`) in Debian's Chromium with the network off, wait for MathJax,
and look for its output, for raw ``$…$`` in the visible text, and for failed loads. nbgrader's
formgrader (where a TA grades written answers) gets MathJax from its own Jupyter server
(:mod:`autograder.grading.formgrader`): its page is rendered as formgrader renders it, and opened in a
running server with every request outside that server refused. Screenshots land
in ``build/browser/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

import formgrader_server

from autograder.pages import feedback, mathjax, notebook_html
from autograder.records.results import ItemResult, Outcome, SubmissionResult

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "browser"
ASSIGNMENT = "06_toy"
ONE_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
TITLE = "Exercise 6.3 — $D^*$ on 1-D Gaussians (2 points)"
_RAW_FORMULA = re.compile(r"\$[^$\n]{1,80}\$|\\\(|\\\[")
_TYPESET = ("window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 "
            "&& MathJax.Hub.queue.running === 0 && document.querySelector('span.MathJax') !== null")


def test_formulas_are_told_from_prices_and_plain_text():
    """Does a page get MathJax for `$D^*$`, `$$x$$`, `\\(x\\)`, but not for "$5 and $10" or no maths?"""
    for text in ("Exercise 6.3 — $D^*$", "$$\\int f$$", "\\(x^2\\)", "\\[a + b\\]"):
        assert mathjax.has_formula(text), text
    for text in ("costs $5 and $10", "no maths here", "", "a lone $ sign"):
        assert not mathjax.has_formula(text), text


def test_the_runtime_is_small_and_linked_not_copied(tmp_path):
    """Does a folder get the runtime (under 3 MB, no SVG output, no other languages) as hard links?"""
    target = mathjax.install(tmp_path)
    files = [path for path in target.rglob("*") if path.is_file()]
    assert (target / "MathJax.js").is_file() and (target / "config" / f"{mathjax.CONFIG_NAME}.js").is_file()
    assert sum(path.stat().st_size for path in files) < 3_000_000
    assert not any("SVG" in path.parts or "a11y" in path.parts for path in files)
    placed, original = (target / "MathJax.js").stat(), (mathjax.source() / "MathJax.js").stat()
    assert (placed.st_ino == original.st_ino) == (placed.st_dev == original.st_dev)  # a copy only across devices
    assert mathjax.install(tmp_path) == target  # a second install keeps what is there


def test_a_student_s_script_does_not_survive_the_export(tmp_path):
    """Is an executed notebook's HTML or JavaScript output made harmless in the TA's page, formulas and figures kept?"""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("The loss $x^2$ of `f(x) -> y & z` <script>alert('markdown')</script>"),
                nbformat.v4.new_code_cell("show()", execution_count=1, outputs=[
                    nbformat.v4.new_output("display_data", data={
                        "text/html": "<b>hi</b><script>alert('html')</script><img src=x onerror=alert('img')>"}),
                    nbformat.v4.new_output("display_data", data={"application/javascript": "alert('js')",
                                                                 "text/plain": "<Javascript object>"}),
                    nbformat.v4.new_output("display_data", data={"image/png": ONE_PIXEL_PNG})])]
    nbformat.write(nb, tmp_path / "mallory.ipynb")
    html = notebook_html.to_html(tmp_path / "mallory.ipynb")
    assert "$x^2$" in html and "&lt;p&gt;" not in html   # markdown's own paragraphs stay HTML
    assert "<code>f(x) -&gt; y &amp; z</code>" in html       # escaped once, not twice
    assert re.search(r'<img [^>]*src="data:image/png;base64,' + re.escape(ONE_PIXEL_PNG), html)
    assert not re.search(r"<script>alert|<img[^>]*onerror|alert\('js'\)", html)   # escaped text, no live tag


def _course(root: Path, title: str = TITLE) -> Path:
    """A course root whose one assignment has an exercise titled ``title`` and its grade cell."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"## {title}\n\nWhat the optimal discriminator is."),
                nbformat.v4.new_code_cell("pass", metadata={"nbgrader": {"grade": True, "grade_id": "test_optimum",
                                                                         "points": 2, "solution": False}})]
    folder = root / "assignments" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    return root


def _result(answer: str = "") -> SubmissionResult:
    return SubmissionResult(student="ada", assignment=ASSIGNMENT, outcome=Outcome.GRADED, profile="smoke",
                            tests=[ItemResult("test_optimum", 2, 2, "passed"),
                                   ItemResult("answer_6_1", 0, 0, "", kind="manual", answer=answer)])


def test_a_feedback_page_with_a_formula_gets_mathjax_beside_it(tmp_path):
    """Is the title's LaTeX kept (for MathJax), and MathJax put in the student's folder only then?"""
    course = _course(tmp_path / "course")
    page = feedback.write_feedback(_result(), tmp_path / "feedback", course)
    html = page.read_text()
    assert "Exercise 6.3 — $D^*$ on 1-D Gaussians" in html and mathjax.SCRIPT in html
    assert (page.parent / mathjax.FOLDER / "MathJax.js").is_file()
    plain = _course(tmp_path / "plain_course", "Exercise 6.3 — the optimum (2 points)")
    page = feedback.write_feedback(_result(), tmp_path / "plain", plain)
    assert mathjax.SCRIPT not in page.read_text() and not (page.parent / mathjax.FOLDER).exists()


def _open_offline(browser, page_path: Path):
    """The page opened as a file with the network off, once MathJax is done; its problems listed."""
    context = browser.new_context(offline=True, viewport={"width": 1000, "height": 800})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"failed to load {request.url}"))
    page.goto(page_path.resolve().as_uri())
    page.wait_for_function(_TYPESET, timeout=90_000)
    return page, problems


@pytest.mark.slow
def test_a_feedback_title_typesets_offline(browser, tmp_path):
    """Does the feedback page show $D^*$ and a LaTeX written answer typeset, with no network and no script link?"""
    SHOTS.mkdir(parents=True, exist_ok=True)
    answer = ("The optimum is $D^*(x) = \\frac{p(x)}{p(x) + q(x)}$, so $D^* = 1/2$ when $p = q$. "
              "See $\\href{javascript:alert(1)}{here}$.")   # MathJax's Safe extension drops the link
    page_path = feedback.write_feedback(_result(answer), tmp_path / "feedback", _course(tmp_path / "course"))
    page, problems = _open_offline(browser, page_path)
    text = page.inner_text("body")
    assert "Exercise 6.3" in text and not _RAW_FORMULA.search(text), text[:800]
    assert page.locator("td span.MathJax").count() >= 5          # the title's and the answer's four
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator(".MathJax_Error, merror").count() == 0
    page.screenshot(path=str(SHOTS / "feedback_mathjax_offline.png"), full_page=True)
    assert not problems, problems


@pytest.mark.slow
def test_an_exported_executed_notebook_typesets_offline(browser, tmp_path):
    """Does an executed notebook, exported to HTML, show its markdown and output formulas typeset offline?"""
    SHOTS.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## Exercise 1.1 — output size\n\n"
                                              "$$H_{out} = 1 + \\left\\lfloor \\frac{H + 2p - K}{s} \\right\\rfloor$$\n\n"
                                              "with padding $p$ and stride $s$; the loss $\\mathcal{L}$."),
                nbformat.v4.new_code_cell("from IPython.display import Math\nMath(r'\\nabla_x \\mathcal{L}')",
                                          execution_count=1,
                                          outputs=[nbformat.v4.new_output("execute_result", execution_count=1, data={
                                              "text/plain": "<IPython.core.display.Math object>",
                                              "text/latex": "$\\displaystyle \\nabla_x \\mathcal{L}$"})])]
    notebook = tmp_path / "executed" / "ada.ipynb"
    notebook.parent.mkdir()
    nbformat.write(nb, notebook)
    page_path = notebook_html.write_html(notebook)
    html = page_path.read_text()
    assert mathjax.URL in html and "require.min.js" not in html
    page, problems = _open_offline(browser, page_path)
    text = page.inner_text("body")
    assert "output size" in text and not _RAW_FORMULA.search(text), text[:800]
    assert page.locator("span.MathJax").count() >= 5
    assert page.locator(".MathJax_Error, merror").count() == 0
    page.screenshot(path=str(SHOTS / "executed_notebook_mathjax_offline.png"), full_page=True)
    assert not problems, problems


@pytest.mark.slow
def test_every_formula_the_course_writes_typesets_offline(browser, tmp_path):
    """Does the copied runtime hold every file MathJax asks for on the formulas of all weeks' notebooks?"""
    formulas = sorted({formula for notebook in sorted((ROOT / "solutions").glob("*/*.ipynb"))
                       for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "markdown"
                       for formula in re.findall(r"\$\$.+?\$\$|(?<!\$)\$[^$\n]+\$", cell.source, re.S)})
    assert len(formulas) > 100   # each distinct formula once
    body = "".join(f"<p>{html.escape(formula)}</p>\n" for formula in formulas)
    page_path = tmp_path / "formulas.html"
    page_path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'>{mathjax.SCRIPT}</head>"
                         f"<body>{body}</body></html>", encoding="utf-8")
    mathjax.install(tmp_path)
    page, problems = _open_offline(browser, page_path)
    assert page.locator("span.MathJax").count() == len(formulas)
    assert page.locator(".MathJax_Error, merror").count() == 0
    assert not _RAW_FORMULA.search(page.inner_text("body"))
    assert not problems, problems


def _formgrader_course(out: Path) -> str:
    """A grading output folder as `course grade` leaves it, for one submission whose notebook has formulas:
    nbgrader's gradebook (ada's submission of :data:`ASSIGNMENT`), ``autograded/``, and the config."""
    from nbgrader.api import Gradebook

    from autograder.grading import formgrader
    from autograder.records.gradebook import use_in_process_alembic

    use_in_process_alembic()   # nbgrader would run the `alembic` command, not on a test's PATH
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## Exercise 6.3 — the optimum\n\n"
                                              "$$D^*(x) = \\frac{p(x)}{p(x) + q(x)}$$ so $D^* = 1/2$ when $p = q$.")]
    folder = out / "autograded" / "ada" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    db_url = f"sqlite:///{out / 'gradebook.db'}"
    with Gradebook(db_url) as book:
        book.add_assignment(ASSIGNMENT)
        book.add_notebook(ASSIGNMENT, ASSIGNMENT)
        book.add_student("ada")
        book.add_submission(ASSIGNMENT, "ada")
        submission_id = book.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "ada").id
    formgrader.write_config(out, db_url)
    return submission_id


def test_formgrader_pages_load_the_server_s_mathjax_not_a_cdn(tmp_path, monkeypatch):
    """Does formgrader's submission page, rendered as formgrader renders it in the folder `course
    manual-grading` configures, load MathJax from the Jupyter server (jupyter-server-mathjax), not a CDN?"""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

    from autograder.grading import formgrader

    submission_id = _formgrader_course(tmp_path)
    monkeypatch.chdir(tmp_path)          # formgrader reads nbgrader_config.py from the server's folder
    app = FormgradeExtension()
    app.initialize([])
    resources = {"assignment_id": ASSIGNMENT, "notebook_id": ASSIGNMENT, "submission_id": submission_id,
                 "index": 0, "total": 1, "base_url": "", "student": "ada", "last_name": "", "first_name": "",
                 "notebook_path": f"autograded/ada/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"}
    page, _ = HTMLExporter(config=app.config).from_filename(
        str(tmp_path / "autograded" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), resources=resources)
    sources = re.findall(r'<script src="([^"]*MathJax[^"]*)"', page)
    assert sources == [formgrader.MATHJAX_URL] and "cdnjs" not in page and "STIX-Web" in page
    assert (mathjax.source() / "MathJax.js").is_file()   # what the server's static handler serves


@pytest.mark.slow
def test_formgrader_typesets_offline(browser, tmp_path):
    """Does a TA's formgrader page, in a Jupyter server started as `course manual-grading` says, show the
    submission's formulas typeset with every request outside the server refused?"""
    submission_id = _formgrader_course(tmp_path)
    token = "mathjax-offline-test"
    with formgrader_server.running(tmp_path, token) as base:
        context = browser.new_context(viewport={"width": 1000, "height": 800})
        outside: list[str] = []

        def local_only(route):
            if route.request.url.startswith(base):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", local_only)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("requestfailed", lambda request: problems.append(f"failed to load {request.url}"))
        page.goto(f"{base}/formgrader/submissions/{submission_id}/?token={token}")
        page.wait_for_function(_TYPESET, timeout=90_000)
        text = page.inner_text("#notebook-container") if page.locator("#notebook-container").count() else \
            page.inner_text("body")
        assert "the optimum" in text and not _RAW_FORMULA.search(text), text[:800]
        assert page.locator("span.MathJax").count() == 3   # the display formula and two inline ones
        assert page.locator(".MathJax_Error, merror").count() == 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "formgrader_mathjax_offline.png"), full_page=True)
        assert not outside and not problems, (outside, problems)


def test_course_grade_keeps_each_executed_notebook_as_a_page_the_report_links(tmp_path):
    """Does `course grade`'s store write executed/<student>.html (MathJax beside it) next to the .ipynb,
    does the class report link that page, and does a notebook nbconvert cannot read keep its .ipynb alone?"""
    from autograder.grading import autograded
    from autograder.pages import attention

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("The loss $\\mathcal{L}$ <script>alert('x')</script>")]
    out = tmp_path / "out"
    executed = autograded.store(out, "ada", ASSIGNMENT, nbformat.writes(nb).encode())
    page = executed.with_suffix(".html")
    text = page.read_text()
    assert mathjax.URL in text and "$\\mathcal{L}$" in text and "<script>alert" not in text
    assert (executed.parent / mathjax.FOLDER / "MathJax.js").is_file()
    assert attention._link(str(executed), out / "report") == "../executed/ada.html"
    broken = autograded.store(out, "ada", ASSIGNMENT, b"{not a notebook")   # a second grading, unreadable
    assert broken.read_bytes() == b"{not a notebook" and not page.exists()   # no stale page of the first
    assert attention._link(str(broken), out / "report") == "../executed/ada.ipynb"
