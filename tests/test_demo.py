"""Questions about `course demo`: the synthetic class and its table."""

from __future__ import annotations

import json

import nbformat
import pytest

import cohort
from autograder.demo import class_demo as demo
from autograder.submission import grade as submission
from autograder.records.results import Outcome

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run() -> demo.DemoRun:
    cohort.skip_without_data()
    return cohort.graded_class()


@pytest.fixture(scope="module")
def ctx(tmp_path_factory) -> demo.Context:
    ref = submission.reference(cohort.ASSIGNMENT, cohort.REPO)
    return demo.Context(cohort.ASSIGNMENT, ref.released, ref.source, cohort.REPO,
                        tmp_path_factory.mktemp("out") / "gradebook.db")


def test_every_synthetic_student_is_graded_as_expected(run: demo.DemoRun) -> None:
    """Does the table match: solution full, blank zero, partial/buggy between, the rest zero with its reason?"""
    table = demo.render_table(run)
    assert run.ok, table
    got = {row.result.student: row.result for row in run.rows}
    assert set(got) == {student.name for student in demo.CLASS}
    assert got["solution"].score == got["solution"].max_score > 0
    assert got["blank"].score == 0
    assert 0 < got["partial"].score < got["partial"].max_score
    assert 0 < got["buggy"].score < got["buggy"].max_score
    assert got["infinite_loop"].outcome is Outcome.TIMEOUT and "per cell" in got["infinite_loop"].reason
    assert got["memory_hog"].outcome is Outcome.OUT_OF_MEMORY and "memory" in got["memory_hog"].reason
    assert got["no_notebook"].outcome is Outcome.MISSING_NOTEBOOK
    assert all(row.result.profile == "smoke" for row in run.rows)


def test_the_table_shows_score_outcome_and_reason(run: demo.DemoRun) -> None:
    """Can a TA read each student's score, outcome and reason from the printed table?"""
    lines = {line.split()[1]: line for line in demo.render_table(run).splitlines()[1:]}
    assert "2 / 2" in lines["solution"] and " yes " in lines["solution"]
    assert "timeout" in lines["infinite_loop"] and "45 s" in lines["infinite_loop"]
    assert "missing_notebook" in lines["no_notebook"] and "No 00_setup.ipynb" in lines["no_notebook"]


def test_the_demo_leaves_a_report_and_feedback_pages(run: demo.DemoRun) -> None:
    """Are the report and one feedback page per student where the demo says?"""
    graded = run.gradings[cohort.ASSIGNMENT]
    assert graded.report_path.exists() and (graded.report_path.parent / "scores.png").exists()
    pages = sorted(p.parent.name for p in graded.feedback_dir.glob("*/feedback.html"))
    assert pages == sorted(student.name for student in demo.CLASS)


def test_the_solution_student_is_the_release_with_the_answers_filled(ctx: demo.Context) -> None:
    """Is the synthetic solution an edit of the released notebook, without nbgrader's markers?"""
    nb = demo._solution(ctx)
    answers = {demo._meta(c)["grade_id"]: c.source for c in nb.cells if demo._meta(c).get("solution")}
    assert set(answers) == set(demo.answer_ids(ctx.released)) and len(answers) >= 2
    for source in answers.values():
        assert "BEGIN SOLUTION" not in source and "NotImplementedError" not in source
    locked = [c.source for c in nb.cells if demo._meta(c).get("locked")]
    assert locked == [c.source for c in ctx.released.cells if demo._meta(c).get("locked")]


def test_partial_and_buggy_differ_from_the_solution_where_intended(ctx: demo.Context) -> None:
    """Does partial leave later answers blank, and buggy change exactly one answer?"""
    def answers(nb):
        return [c.source for c in nb.cells if demo._meta(c).get("solution")]

    solution, partial, buggy = answers(demo._solution(ctx)), answers(demo._partial(ctx)), answers(demo._buggy(ctx))
    assert partial[0] == solution[0] and "NotImplementedError" in partial[-1]
    assert sum(a != b for a, b in zip(solution, buggy)) == 1


def test_the_class_is_written_as_student_folders(ctx: demo.Context, tmp_path) -> None:
    """One folder per student, a valid notebook in each (none for no_notebook)."""
    folder = demo.write_class(ctx, demo.cohort(whole_class=True), tmp_path / "class")
    for student in demo.CLASS:
        notebook = folder / student.name / f"{cohort.ASSIGNMENT}.ipynb"
        assert notebook.exists() == (student.name != "no_notebook")
        if notebook.exists():
            nbformat.validate(nbformat.read(notebook, as_version=4))
    assert json.loads((folder / "solution" / f"{cohort.ASSIGNMENT}.ipynb").read_text())["cells"]


def test_the_training_week_class_is_built_from_one_trained_folder(monkeypatch, tmp_path) -> None:
    """trained keeps its models, swapped_models has the two models (and their sidecars) exchanged,
    no_models has neither, blank is the release; the training itself runs once (stubbed here)."""
    from autograder.demo import trained as demo_trained

    week = demo_trained.DEMO_TRAINED_ASSIGNMENT
    released = nbformat.read(cohort.REPO / "assignments" / week / f"{week}.ipynb", as_version=4)
    ctx = demo.Context(week, released, released, cohort.REPO, tmp_path / "gradebook.db")
    first, second = demo_trained.artifact_paths(week, cohort.REPO)[:2]
    runs = []

    def fake_training(ctx, folder):
        runs.append(folder.name)
        folder.mkdir()
        (folder / f"{week}.ipynb").write_text("{}")
        for name in (first, second):
            (folder / name).write_text(name)
            (folder / f"{name}.json").write_text(f'{{"of": "{name}"}}')
        return folder

    monkeypatch.setattr(demo_trained, "train_like_a_student", fake_training)
    expected = demo_trained.write_trained_class(ctx, tmp_path / "class")
    folder = tmp_path / "class"
    assert runs == ["trained"] and set(expected) == {p.name for p in folder.iterdir()}
    assert (folder / "trained" / first).read_text() == first
    assert (folder / "swapped_models" / first).read_text() == second
    assert (folder / "swapped_models" / second).read_text() == first
    assert json.loads((folder / "swapped_models" / f"{first}.json").read_text()) == {"of": second}
    assert not any((folder / "no_models" / name).exists() for name in (first, second, f"{first}.json"))
    assert (folder / "no_models" / f"{week}.ipynb").exists()
    assert "NotImplementedError" in (folder / "blank" / f"{week}.ipynb").read_text()
    assert expected["trained"].score == "full" and expected["blank"].score == "zero"
