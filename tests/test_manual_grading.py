"""Written answers graded by hand: a class graded by the real pipeline, its written answers scored and
commented by a TA in nbgrader's own formgrader (a Jupyter server, driven in Chromium), and the
scores and comments found in the CSV, the LMS export, the class report and the students' feedback.

The course is the fixture course (99_fixture: two functions and a saved file, no TensorFlow) plus
two questions with answer cells, as every week has them: ``answer_99_1`` (2 points) and
``answer_99_2`` (0 points: read and commented, not scored). alice answers both, bob leaves both
blank. Screenshots land in ``build/browser/``.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

import formgrader_server

from autograder import cli
from autograder.grading import formgrader, grade_class as grading
from autograder.isolation import sandbox
from autograder.records import gradebook_queries, lms_export, manual_grades
from autograder.submission import grade as submission

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sandbox._probe("bwrap"), reason="bubblewrap does not work here")]

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "fixture_course"
ASSIGNMENT = "99_fixture"
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "browser"
CODE = {
    "add_one_answer": 'def add_one(x):\n    return np.asarray(x, dtype=float) + 1.0',
    "scale_answer": 'def scale(x, factor):\n    return np.asarray(x) * factor',
    "weights_answer": 'np.savez("weights.npz", w=np.arange(3.0))',
}
ALICE_1 = "Adding one shifts every entry; the <b>shape</b> stays the same."
ALICE_2 = "Scaling by zero loses the input."
COMMENT_1 = "Right, and say why the shape cannot change."
COMMENT_2 = "Good point about zero."


def _question(number: int, points: int) -> list:
    question = nbformat.v4.new_markdown_cell(f"**Question 99.{number}.** What does the function keep?")
    answer = nbformat.v4.new_markdown_cell(f"The model answer to question {number}.")
    answer.metadata["nbgrader"] = {"grade": True, "grade_id": f"answer_99_{number}", "locked": False,
                                   "points": points, "schema_version": 3, "solution": True, "task": False}
    return [question, answer]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """The fixture course with two questions, released into ``assignments/`` as `course release` does."""
    root = tmp_path_factory.mktemp("manual") / "course"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__"))
    path = root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    source = nbformat.read(path, as_version=4)
    source.cells += [nbformat.v4.new_markdown_cell("## Questions"), *_question(1, 2), *_question(2, 0)]
    nbformat.write(source, path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_CHECKS_PATH", str(root / "checks"))
        patch.setenv("COURSE_PROFILE", "smoke")
        patch.setenv("COURSE_TA", "tess")
        released = submission.reference(ASSIGNMENT, root).released
        (root / "assignments" / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(released, root / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        yield root


def _student(folder: Path, released, answers: dict[str, str]) -> None:
    nb = nbformat.from_dict(json.loads(json.dumps(released)))
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")


@pytest.fixture(scope="module")
def graded(course: Path, tmp_path_factory):
    released = nbformat.read(course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    subs = tmp_path_factory.mktemp("subs")
    _student(subs / "alice", released, {**CODE, "answer_99_1": ALICE_1, "answer_99_2": ALICE_2})
    _student(subs / "bob", released, CODE)
    return grading.grade_class(ASSIGNMENT, subs, root=course, out_dir=course / "out", workers=2, progress=False)


@pytest.fixture(scope="module")
def server(graded):
    """nbgrader's formgrader on the class's output folder, as `course manual-grading` says to start it."""
    token = "manual-grading-test"
    formgrader.write_config(graded.out_dir, graded.db_url)
    with formgrader_server.running(graded.out_dir, token) as base:
        yield base, token


def test_written_answers_wait_for_a_ta_and_blanks_do_not(graded):
    """Is a handed-in answer marked needs_manual_grade in nbgrader's gradebook, a blank one not, and is
    nbgrader's autograded/ tree written beside executed/?"""
    marks = manual_grades.marks(graded.db_url, ASSIGNMENT)
    assert {s: {g: m.needs_manual_grade for g, m in own.items()} for s, own in marks.items()} == {
        "alice": {"answer_99_1": True, "answer_99_2": True}, "bob": {"answer_99_1": False, "answer_99_2": False}}
    by_student = graded.by_student()
    assert {t.id: t.answer for t in by_student["alice"].tests if t.kind == "manual"} == {
        "answer_99_1": ALICE_1, "answer_99_2": ALICE_2}
    assert by_student["alice"].score == 4.0 and by_student["bob"].score == 4.0   # the automatic verdicts alone
    for student in ("alice", "bob"):
        tree = graded.out_dir / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert tree.read_bytes() == (graded.out_dir / "executed" / f"{student}.ipynb").read_bytes()
    assert "Written answers: 0 of 2 graded by a TA, 2 still to grade" in graded.report_path.read_text()


def _grade_in_formgrader(browser, base: str, token: str, submission_id: str, scores: dict[str, tuple[str, str]]):
    page = browser.new_page(viewport={"width": 1200, "height": 1400})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    listing = formgrader.grading_url(ASSIGNMENT).split("8888", 1)[1]   # the page course manual-grading names
    page.goto(f"{base}/login?next={listing}")   # as a TA logs in: with the token from the server's log
    page.fill("#password_input", token)
    page.click("#login_submit")
    page.wait_for_selector(f"a.name-hidden[href$='{submission_id}']")
    assert page.locator("a.name-hidden").count() == 2   # the class: alice and bob
    page.click(f"a.name-hidden[href$='{submission_id}']")
    page.wait_for_selector("#answer_99_1")
    page.wait_for_load_state("networkidle")   # formgrader has fetched the grades and comments it binds
    assert page.get_by_text("the shape stays the same", exact=False).count() >= 1   # alice's answer is shown
    for grade_id, (score, comment) in scores.items():
        page.fill(f"#{grade_id}", score)
        page.press(f"#{grade_id}", "Tab")
        page.fill(f"#{grade_id}-comment", comment)
        page.press(f"#{grade_id}-comment", "Tab")
    page.wait_for_timeout(1500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "formgrader_alice.png"), full_page=True)
    page.close()
    return problems


def test_a_ta_grades_in_formgrader_and_every_output_has_it(graded, server, browser, monkeypatch, tmp_path, capsys):
    """Do a score and a comment typed in formgrader reach the CSV, the LMS export, the report and
    alice's feedback page; does bob's blank answer never read as "Your written answer"?"""
    base, token = server
    from nbgrader.api import Gradebook

    with Gradebook(graded.db_url) as book:
        submission_id = book.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "alice").id
    problems = _grade_in_formgrader(browser, base, token, submission_id,
                                    {"answer_99_1": ("1.5", COMMENT_1), "answer_99_2": ("0", COMMENT_2)})
    assert problems == []   # MathJax too: from the server's jupyter-server-mathjax, not a CDN (formgrader.write_config)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        alice = manual_grades.marks(graded.db_url, ASSIGNMENT)["alice"]
        if alice["answer_99_1"].comment and alice["answer_99_2"].comment:
            break
        time.sleep(0.5)
    assert (alice["answer_99_1"].manual_score, alice["answer_99_1"].comment) == (1.5, COMMENT_1)
    assert (alice["answer_99_2"].manual_score, alice["answer_99_2"].comment) == (0.0, COMMENT_2)
    assert not alice["answer_99_1"].needs_manual_grade

    # the course's commands, as a TA runs them after grading by hand
    monkeypatch.setattr("autograder.cli.grading_commands.known_assignment", lambda name: None)
    out = str(graded.out_dir)
    assert cli.main(["manual-grading", ASSIGNMENT, "--out", out]) == 0
    assert "2 of 2 graded by a TA, 0 still to grade" in capsys.readouterr().out
    assert cli.main(["export", ASSIGNMENT, "--out", out, "--csv", str(tmp_path / "grades.csv")]) == 0
    rows = {row["student"]: row for row in csv.DictReader(open(tmp_path / "grades.csv", encoding="utf-8"))}
    assert rows["alice"]["score"] == "5.5" and rows["alice"]["answer_99_1"] == "1.5"
    assert rows["alice"]["answer_99_1 comment"] == COMMENT_1 and rows["alice"]["answers_to_grade"] == "0"
    assert rows["bob"]["score"] == "4" and rows["bob"]["answer_99_1 comment"] == ""
    assert cli.main(["export-lms", "--db", graded.db_url, "--csv", str(tmp_path / "lms.csv")]) == 0
    assert list(csv.reader(open(tmp_path / "lms.csv", encoding="utf-8"))) == [
        ["student", f"{ASSIGNMENT} (/6)"], ["alice", "5.5"], ["bob", "4"]]
    assert cli.main(["report", ASSIGNMENT, "--out", out]) == 0
    report = graded.report_path.read_text()
    assert "Written answers: 2 of 2 graded by a TA, 0 still to grade" in report and "5.5 / 6" in report
    assert cli.main(["feedback", ASSIGNMENT, "--out", out]) == 0
    alice_page = (graded.feedback_dir / "alice" / "feedback.html").read_text()
    assert "Total: 5.5 / 6" in alice_page and COMMENT_1 in alice_page and COMMENT_2 in alice_page
    assert "scored by your TA" in alice_page and "Your TA (1.5 / 2):" in alice_page and "Your TA:</strong> Good" in alice_page
    assert "&lt;b&gt;shape&lt;/b&gt;" in alice_page   # the answer, escaped, under its question
    bob_page = (graded.feedback_dir / "bob" / "feedback.html").read_text()
    assert "Your written answer" not in bob_page and "No answer was written" in bob_page

    page = browser.new_page(viewport={"width": 1100, "height": 1300})
    page.goto((graded.feedback_dir / "alice" / "feedback.html").as_uri())
    assert COMMENT_1 in page.locator(".ta-comment").first.inner_text()
    page.screenshot(path=str(SHOTS / "feedback_written_answers.png"), full_page=True)
    page.goto(graded.report_path.as_uri())
    assert "still to grade" in page.locator("#written-answers + p").inner_text()
    page.screenshot(path=str(SHOTS / "report_written_answers.png"), full_page=True)
    page.close()


def test_csv_columns_stay_without_written_answers(tmp_path):
    """An assignment with no answer cell keeps its CSV as it was (no comment or answers_to_grade column)."""
    from fake_course import make_course
    from autograder.records.results import ItemResult, Outcome, SubmissionResult
    from autograder.records.gradebook import GradebookWriter, default_url, grade_cells_of

    root = make_course(tmp_path / "course")
    url = default_url(tmp_path)
    with GradebookWriter(url, "00_demo", grade_cells_of(root, "00_demo")) as writer:
        writer.record(SubmissionResult("zoe", "00_demo", Outcome.GRADED, tests=[
            ItemResult("test_add", 2, 2, "ok"), ItemResult("test_mul", 3, 0, "no")]))
    stream = io.StringIO()
    gradebook_queries.write_csv(url, "00_demo", stream)
    header, row = list(csv.reader(io.StringIO(stream.getvalue())))
    assert header[-2:] == ["test_add", "test_mul"] and row[-2:] == ["2", "0"] and row[2] == "2"
    assert lms_export.assignments_in(url) == ["00_demo"]


def test_nbgrader_generate_feedback_reads_the_tree(graded):
    """Does nbgrader's own `generate_feedback` render every student's autograded notebook (the written
    answer in it, no hidden test), with the config `course manual-grading` writes?"""
    import sys

    formgrader.write_config(graded.out_dir, graded.db_url)
    done = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", ASSIGNMENT, "--force"],
                          cwd=graded.out_dir, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    pages = sorted(graded.out_dir.glob(f"feedback/*/{ASSIGNMENT}/{ASSIGNMENT}.html"))
    assert [page.parent.parent.name for page in pages] == ["alice", "bob"]
    html = pages[0].read_text()
    assert "Adding one shifts every entry" in html   # alice's written answer
    assert "HIDDEN TESTS" not in html and "judge.submit" not in html


def test_manual_grading_before_grading_says_what_to_do(tmp_path, capsys):
    """Does `course manual-grading` on an ungraded assignment, or an unknown one, answer in one line?"""
    assert cli.main(["manual-grading", "00_setup", "--out", str(tmp_path / "none")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "grade it first: course grade 00_setup" in error
    assert cli.main(["manual-grading", "99_nothing"]) == 2
    assert "no assignment '99_nothing'" in capsys.readouterr().err
    own = tmp_path / "own"
    own.mkdir()
    (own / "nbgrader_config.py").write_text("c = get_config()\n")   # a TA's own config is never overwritten
    with pytest.raises(ValueError, match="move it away"):
        formgrader.write_config(own, "sqlite:///gradebook.db")
