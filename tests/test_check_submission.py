"""Does `course check-submission DIR` tell a student, before submitting, each thing that would
cost points for a reason other than the answers: a missing or unsafe artifact, a notebook that
does not run, one over the time limit — one line each, and exit status 1?"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest

import cohort
from autograder import cli
from autograder.submission import check_submission
from autograder.isolation.limits import default_limits

ROOT = Path(__file__).resolve().parents[1]


def _folder(tmp_path: Path, assignment: str, notebook: str = "solutions") -> Path:
    folder = tmp_path / "submit"
    folder.mkdir()
    shutil.copy(ROOT / notebook / assignment / f"{assignment}.ipynb", folder)
    return folder


def _lines(capsys, argv) -> tuple[int, list[str]]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).strip().splitlines()


def test_missing_artifacts_are_named_without_running_anything(capsys, tmp_path):
    folder = _folder(tmp_path, "02_cnn_classification", "assignments")
    code, lines = _lines(capsys, ["check-submission", str(folder), "--no-run"])
    assert code == 1
    assert "✓ 02_cnn_classification.ipynb is there and opens" in lines
    assert any(line.startswith("✗ mnist_cnn.keras is missing: run the notebook cell that saves it") for line in lines)
    assert any(line.startswith("✗ fashion_cnn.keras is missing") for line in lines)


def test_an_unsafe_artifact_is_refused_as_the_grader_would(tmp_path):
    """A model with a Lambda layer cannot be loaded in safe mode: the student hears why, in one line."""
    keras = pytest.importorskip("keras")
    folder = _folder(tmp_path, "02_cnn_classification", "assignments")
    inputs = keras.Input((28, 28, 1))
    model = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Lambda(lambda x: keras.ops.reshape(x, (-1, 784)))(inputs)))
    model.save(folder / "mnist_cnn.keras")
    findings = {f.text.split(" ")[0]: f for f in check_submission.check_files(folder, "02_cnn_classification")}
    assert not findings["mnist_cnn.keras"].passed
    assert "does not load" in findings["mnist_cnn.keras"].text and "Lambda" in findings["mnist_cnn.keras"].text
    assert "\n" not in findings["mnist_cnn.keras"].text


@pytest.mark.slow
def test_a_finished_notebook_is_ready_to_submit(capsys, tmp_path):
    cohort.skip_without_data()
    folder = _folder(tmp_path, "00_setup")
    code, lines = _lines(capsys, ["check-submission", str(folder)])
    assert code == 0, lines
    assert lines[-1].startswith("ready to submit:") and "says nothing about whether your answers are right" in lines[-1]
    assert any(line.startswith("✓ the notebook ran top to bottom in the grader's sandbox") for line in lines)


@pytest.mark.slow
def test_a_failing_cell_and_a_timeout_are_reported(tmp_path):
    cohort.skip_without_data()
    folder = _folder(tmp_path, "00_setup")
    nb = nbformat.read(folder / "00_setup.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise ValueError('my own bug')"))
    nbformat.write(nb, folder / "00_setup.ipynb")
    findings = check_submission.check_run(folder, "00_setup", default_limits("00_setup"))
    assert any(not f.passed and "a cell fails" in f.text and "ValueError: my own bug" in f.text for f in findings)
    nb.cells[-1] = nbformat.v4.new_code_cell("while True:\n    pass")
    nbformat.write(nb, folder / "00_setup.ipynb")
    findings = check_submission.check_run(folder, "00_setup", replace(default_limits("00_setup"), cell_seconds=5))
    assert len(findings) == 1 and not findings[0].passed
    assert "does not run to the end" in findings[0].text and "5 s" in findings[0].text, findings[0].text


def test_bad_folders_get_one_line_and_status_2(capsys, tmp_path):
    code, lines = _lines(capsys, ["check-submission", str(tmp_path / "nowhere")])
    assert code == 2 and len(lines) == 1 and "is not a folder" in lines[0]
    code, lines = _lines(capsys, ["check-submission", str(tmp_path)])
    assert code == 2 and len(lines) == 1 and "--assignment NN_topic" in lines[0] and "00_setup.ipynb" in lines[0]
    code, lines = _lines(capsys, ["check-submission", str(tmp_path), "--assignment", "99_nope"])
    assert code == 2 and "no assignment '99_nope'" in lines[0]
