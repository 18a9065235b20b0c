"""Does ``python -m course_utils.check_submission FOLDER`` (the kit's check, no grader installed)
name each file the grader loads that is missing or unloadable, show what each sidecar records,
say that its run is not the grader's sandbox, and never call wrong answers ready?"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cohort
from course_utils import check_submission as check
from course_utils import training

ROOT = Path(__file__).resolve().parents[1]


def _folder(tmp_path: Path, assignment: str, tree: str = "assignments") -> Path:
    folder = tmp_path / assignment
    folder.mkdir()
    shutil.copy(ROOT / tree / assignment / f"{assignment}.ipynb", folder)
    return folder


def _tiny_model():
    keras = pytest.importorskip("keras")
    inputs = keras.Input((28, 28, 1))
    return keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs)))


@pytest.mark.slow  # three fresh processes load TensorFlow: about 30 s on 2 busy cores
def test_missing_damaged_and_good_files_of_week_3_one_line_each(tmp_path):
    folder = _folder(tmp_path, "03_adversarial")
    training.save_artifact(_tiny_model(), folder / "robust_cnn.keras", metrics={"accuracy": 0.5})
    (folder / "mnist_reference_cnn.keras").write_bytes(b"not a model")
    lines = [finding.line() for finding in check.check_files(folder, "03_adversarial")]
    assert lines[0] == "✓ 03_adversarial.ipynb is there and opens"
    assert "✓ robust_cnn.keras loads as the grader loads it (safe mode)" in lines
    sidecar = next(line for line in lines if line.startswith("· robust_cnn.keras: keras "))
    assert "backend tensorflow" in sidecar and "dtype float32" in sidecar and "CPU" in sidecar
    assert any(line.startswith("✗ mnist_reference_cnn.keras does not load as the grader loads it: ")
               for line in lines)
    (folder / "mnist_reference_cnn.keras").unlink()
    missing = [f for f in check.check_files(folder, "03_adversarial") if not f.passed]
    assert [f.text.split(" (")[0] for f in missing] == ["mnist_reference_cnn.keras is missing"]
    assert "notebook's cells load it" in missing[0].text


def test_bad_arguments_get_one_line_and_status_2(tmp_path):
    command = [sys.executable, "-m", "course_utils.check_submission"]
    nowhere = subprocess.run([*command, str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=120)
    (tmp_path / "empty").mkdir()
    unknown = subprocess.run([*command, str(tmp_path / "empty")], capture_output=True, text=True, timeout=120)
    for done in (nowhere, unknown):
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "is not a folder" in nowhere.stderr and "--assignment" in unknown.stderr


@pytest.mark.slow
def test_the_blank_runs_but_is_not_ready_and_the_run_says_it_is_no_sandbox(tmp_path):
    """Week 0's blank: every file is there (none is asked), the run shows the failing cells."""
    cohort.skip_without_data()
    folder = _folder(tmp_path, "00_setup")
    done = subprocess.run([sys.executable, "-m", "course_utils.check_submission", str(folder)],
                          capture_output=True, text=True, timeout=600, env={**__import__("os").environ,
                                                                           "COURSE_PROFILE": "smoke"})
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 1, done.stdout + done.stderr
    assert any("NOT the grader's sandbox" in line for line in lines)
    assert any(line.startswith("✗ a cell fails (cell ") for line in lines)
    assert check.READY not in done.stdout and "problem(s)" in lines[-1]
