"""Integrity signals (autograder/integrity, issue 35): similar answers, reference texts, by-hand library calls.

A small class of week 1 is built from the released notebook and the answer corpus (tests/integrity_class.py)
and graded by ``course grade``'s pipeline with a stand-in grade function (no sandbox: the signals read the
submitted notebooks, whatever the grades); the TA's page must list exactly the planted signals, and no grade
may move.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autograder.grading import grade_class as grading
from autograder.integrity import similarity
from autograder.integrity.answers import Submission, template_answers
from autograder.records import gradebook_queries
from autograder.records.gradebook import grade_cells_of
from autograder.records.results import ItemResult, Outcome, SubmissionResult
from integrity_class import ROOT, corpus, fill, renamed, strip_markers, write_notebook
from integrity_class import answer_cells, notebooks

WEEK = "01_convolution"
REFERENCES = ROOT / "tests" / "fixtures" / "integrity" / "references"

PORTS = ROOT / "tests" / "fixtures" / "integrity" / "ports"

# dave: a library convolution through an alias imported in the answer cell itself.
DAVE_NAIVE = '''
import tensorflow as t


def conv_forward_naive(x, w, b, stride=1, pad="valid"):
    top, bottom = padding_amounts(x.shape[1], w.shape[0], stride, pad)
    left, right = padding_amounts(x.shape[2], w.shape[1], stride, pad)
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    return t.nn.conv2d(padded, w, strides=stride, padding="VALID").numpy() + b
'''


def erin_naive() -> str:
    """conv_scipy_signal.py from the corpus, through ``from scipy import signal`` instead of ``import scipy.signal``."""
    return corpus(WEEK, "conv_scipy_signal.py").replace("import scipy.signal", "from scipy import signal") \
        .replace("scipy.signal.correlate", "signal.correlate")


def build_class(folder: Path) -> dict[str, dict[str, str]]:
    """Six students of week 1 (answer cells by grade_id); the template stays where a student wrote nothing."""
    template = template_answers(WEEK, ROOT)
    solution = {g: strip_markers(c) for g, c in
                answer_cells(notebooks.read(ROOT / "solutions" / WEEK / f"{WEEK}.ipynb")).items()}
    keep = {"padding_amounts", "conv_forward_naive", "im2col", "conv_forward", "true_convolution", "conv_backward",
            "pool_windows", "max_pool_forward", "max_pool_backward", "avg_pool_forward", "avg_pool_backward",
            "receptive_field", "ConvCache", "PoolCache", "x", "w", "stride", "pads", "pool_size"}

    def answers(**files: str) -> dict[str, str]:
        return {**template, **{g: fill(template[g], corpus(WEEK, f) if f.endswith(".py") else f)
                               for g, f in files.items()}}

    students = {
        "alice": solution,                                               # the reference solution, by hand
        "bob": {g: renamed(c, keep) for g, c in solution.items()},       # alice's, every local name renamed
        "carol": answers(conv_forward_naive="conv_naive_scalar_loops.py", conv_forward="conv_einsum.py",
                         conv_backward="conv_backward_loops.py", avg_pool="avg_pool_summed_area_table.py",
                         receptive_field="receptive_field_top_down.py"),  # honest alternatives, by hand
        "dave": answers(conv_forward_naive=DAVE_NAIVE, conv_forward="conv_fft.py",
                        conv_backward="conv_backward_col2im_add_at.py", avg_pool="avg_pool_notebook_class.py"),
        "erin": answers(conv_forward_naive=erin_naive(), max_pool="pool_loops.py"),
        "frank": answers(max_pool=(PORTS / WEEK / "max_pool.py").read_text(), conv_forward="conv_as_strided.py"),
    }
    for student, cells in students.items():
        write_notebook(folder / student, WEEK, cells)
    return students


def stand_in_grade(assignment: str, submission_dir: Path, *, student: str, course_root: Path,
                   work_dir: Path) -> SubmissionResult:
    """Full marks on every grade cell for everyone: the signals must leave them as they are."""
    cells = grade_cells_of(course_root, assignment)
    return SubmissionResult(student=student, assignment=assignment, outcome=Outcome.GRADED, profile="smoke",
                            tests=[ItemResult(c.grade_id, c.points, c.points, "checked",
                                              kind="manual" if c.cell_type == "markdown" else "function")
                                   for c in cells])


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("integrity")
    course = base / "course"
    (course / "assignments" / WEEK).mkdir(parents=True)
    shutil.copy(ROOT / "assignments" / WEEK / f"{WEEK}.ipynb", course / "assignments" / WEEK)
    shutil.copytree(REFERENCES, course / "integrity" / "references")
    students = build_class(base / "class")
    result = grading.grade_class(WEEK, base / "class", root=course, out_dir=base / "out", workers=1,
                                 grade_fn=stand_in_grade, progress=False)
    return result, students, json.loads((base / "out" / "report" / "integrity.json").read_text())


def test_the_report_lists_exactly_the_planted_signals(graded) -> None:
    """Renamed copies, a port of a reference text, a library call through an alias and through
    ``from scipy import signal``: exactly those, with their scores; honest answers are not flagged."""
    result, _, found = graded
    pairs = {(m["exercise"], m["left"], m["right"]) for m in found["similar"] if not m["right"].startswith("reference:")}
    ported = {(m["exercise"], m["left"], m["right"]) for m in found["similar"] if m["right"].startswith("reference:")}
    # every answer cell alice wrote at some length (receptive_field and true_convolution are a few lines)
    assert pairs == {(exercise, "alice", "bob") for exercise in ("padding_amounts", "conv_forward_naive",
                                                                 "conv_forward", "conv_backward", "max_pool", "avg_pool",
                                                                 "compose_kernels")}
    assert all(m["score"] == 1.0 for m in found["similar"] if m["left"] in ("alice", "bob"))
    assert ported == {("max_pool", "frank", "reference:public_pooling.py")}
    assert all(m["score"] >= (similarity.REFERENCE_THRESHOLD if m["right"].startswith("reference:")
                              else similarity.THRESHOLD) for m in found["similar"])
    calls = {(c["student"], c["exercise"], c["function"], c["name"]) for c in found["library_calls"]}
    assert calls == {("dave", "conv_forward_naive", "conv_forward_naive", "tf.nn.conv2d"),
                     ("erin", "conv_forward_naive", "conv_forward_naive", "scipy.signal.correlate")}
    page = (result.out_dir / "report" / "integrity.html").read_text()
    assert "public_pooling.py" in page and "<mark>" in page and "tf.nn.conv2d" in page
    assert 'href="integrity.html"' in (result.out_dir / "report" / "report.html").read_text()


def test_no_grade_moves(graded) -> None:
    """Every student keeps the stand-in's full marks: the signals are for a human, never a grade."""
    result, students, _ = graded
    rows = gradebook_queries.student_rows(result.db_url, WEEK)
    assert sorted(row.student for row in rows) == sorted(students)
    assert all(row.score == row.max_score > 0 for row in rows)


def test_no_honest_pair_of_the_corpus_reaches_the_threshold() -> None:
    """The threshold sits above every pair of the answer corpus's honest alternatives, below renamed copies."""
    record = json.loads((ROOT / "benchmarks" / "results" / "similarity_threshold.json").read_text())
    assert record["threshold"] == similarity.THRESHOLD
    assert record["honest_max"] < similarity.THRESHOLD <= record["renamed_min"]
    assert record["reference_threshold"] == similarity.REFERENCE_THRESHOLD
    assert record["reference_corpus_max"] < similarity.REFERENCE_THRESHOLD <= record["reference_ports_min"]


def test_the_template_alone_is_never_similar() -> None:
    """Two students who wrote nothing share only the template, which is removed: nothing to compare."""
    template = template_answers(WEEK, ROOT)
    blank = [Submission(name, dict(template)) for name in ("ann", "ben")]
    report = similarity.compare_class(blank, template)
    assert report.matches == [] and set(report.compared.values()) == {0}


def test_a_renamed_copy_is_found_and_an_independent_answer_is_not() -> None:
    code = strip_markers(answer_cells(notebooks.read(ROOT / "solutions" / WEEK / f"{WEEK}.ipynb"))["conv_backward"])
    template = template_answers(WEEK, ROOT)
    other = fill(template["conv_backward"], corpus(WEEK, "conv_backward_loops.py"))
    class_ = [Submission("a", {"conv_backward": code}), Submission("b", {"conv_backward": renamed(code, {"conv_backward"})}),
              Submission("c", {"conv_backward": other})]
    report = similarity.compare_class(class_, template, exercises=["conv_backward"])
    assert [(m.left, m.right) for m in report.matches] == [("a", "b")]
    assert report.compared == {"conv_backward": 3}


def test_course_similarity_writes_the_page_for_a_graded_class(graded, tmp_path: Path, capsys) -> None:
    """``course similarity`` (the TA's rerun, e.g. with reference texts added after grading)."""
    from autograder.cli import main

    result, _, _ = graded
    submissions = result.out_dir.parent / "class"
    assert main(["similarity", WEEK, "--submissions", str(submissions), "--out", str(tmp_path),
                 "--references", str(REFERENCES)]) == 0
    printed = capsys.readouterr().out
    assert "6 notebook(s): 7 similar pair(s), 1 answer(s) like a reference text, 2 library call(s)" in printed
    assert (tmp_path / "report" / "integrity.html").is_file()
    assert main(["similarity", WEEK, "--submissions", str(tmp_path / "nowhere")]) == 2


def test_a_notebook_without_answer_metadata_is_named_not_skipped_silently(tmp_path: Path) -> None:
    from autograder.integrity import signals

    write_notebook(tmp_path / "class" / "ann", WEEK, {})
    stripped = notebooks.read(tmp_path / "class" / "ann" / f"{WEEK}.ipynb")
    for cell in stripped.cells:
        cell.metadata.pop("nbgrader", None)
    import nbformat

    nbformat.write(stripped, tmp_path / "class" / "ann" / f"{WEEK}.ipynb")
    found = signals.collect(WEEK, {"ann": tmp_path / "class" / "ann", "ben": tmp_path / "class" / "ben"}, ROOT,
                            references=tmp_path / "none")
    assert found.unread == {"ann": "no answer cell found (its nbgrader metadata is gone): nothing compared",
                            "ben": "no notebook (or not a plain file)"}


def test_a_failing_integrity_pass_costs_no_grade_and_is_reported(tmp_path: Path, monkeypatch) -> None:
    """A bug in the signals must not cost a graded class its report: one warning line, grades intact."""
    from autograder.integrity import signals

    def broken(*args, **kwargs):
        raise RuntimeError("planted")

    monkeypatch.setattr(signals, "collect", broken)
    course = tmp_path / "course"
    (course / "assignments" / WEEK).mkdir(parents=True)
    shutil.copy(ROOT / "assignments" / WEEK / f"{WEEK}.ipynb", course / "assignments" / WEEK)
    write_notebook(tmp_path / "class" / "ann", WEEK, {})
    result = grading.grade_class(WEEK, tmp_path / "class", root=course, out_dir=tmp_path / "out", workers=1,
                                 grade_fn=stand_in_grade, progress=False)
    assert [r.score == r.max_score > 0 for r in result.results] == [True]
    report = result.report_path.read_text()
    assert "integrity signals not computed (RuntimeError: planted)" in report
    assert not (result.out_dir / "report" / "integrity.html").exists()
