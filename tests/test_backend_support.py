"""Does each week's setup cell say which Keras backends it runs under, and what to do under another?

The setup cells call :func:`course_utils.runtime.device_report`; its backend line reads
:data:`course_utils.runtime.WEEK_BACKENDS`, which these tests hold to the notebooks themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from course_utils import runtime

ROOT = Path(__file__).resolve().parents[1]
KERAS = re.compile(r"^\s*(import keras|from keras\b)", re.MULTILINE)
TENSORFLOW = re.compile(r"\btf\.")


def _code(week: str) -> str:
    notebook = nbformat.read(ROOT / "solutions" / week / f"{week}.ipynb", as_version=4)
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")


def test_every_week_has_a_backend_statement():
    """Is every week of the course in the table (and nothing else)?"""
    weeks = sorted(path.name for path in (ROOT / "solutions").iterdir() if (path / f"{path.name}.ipynb").is_file())
    assert sorted(runtime.WEEK_BACKENDS) == weeks


@pytest.mark.parametrize("week", sorted(runtime.WEEK_BACKENDS))
def test_the_table_follows_the_notebook(week):
    """Keras and TensorFlow code in one notebook: TensorFlow's backend only; no Keras: any backend."""
    code = _code(week)
    mixes = bool(KERAS.search(code)) and bool(TENSORFLOW.search(code))
    assert runtime.WEEK_BACKENDS[week] == (("tensorflow",) if mixes else ("tensorflow", "jax"))


def test_the_week_is_read_from_the_kernels_folder(tmp_path):
    """The kit's assignments/NN_topic/, a grader's submission folder holding NN_topic.ipynb, or nothing."""
    week_folder = tmp_path / "assignments" / "05_autoencoders"
    week_folder.mkdir(parents=True)
    assert runtime.current_week(week_folder) == "05_autoencoders"
    submission = tmp_path / "alice"
    submission.mkdir()
    (submission / "06_gans.ipynb").write_text("{}")
    assert runtime.current_week(submission) == "06_gans"
    assert runtime.current_week(tmp_path) is None


def _report(backend: str, week: str | None) -> runtime.DeviceReport:
    return runtime.DeviceReport(python="3.11", platform="Linux x86_64", tensorflow="2", keras="3", numpy="2",
                                gpus=(), profile="full", grading=False, backend=backend, week=week)


def test_a_supported_backend_is_named_with_the_weeks_backends():
    assert "backend     : jax (01_convolution runs under tensorflow or jax)" in str(_report("jax", "01_convolution"))
    assert _report("tensorflow", "06_gans").backend_line == "tensorflow (06_gans runs under tensorflow)"


def test_an_unsupported_backend_says_what_to_do_in_one_line():
    line = _report("jax", "02_cnn_classification").backend_line
    assert "\n" not in line
    assert "02_cnn_classification needs Keras' TensorFlow backend" in line
    assert "KERAS_BACKEND=tensorflow before importing keras" in line and "restart the kernel" in line


def test_an_unknown_week_names_the_weeks_that_need_tensorflow():
    assert _report("tensorflow", None).backend_line == "tensorflow"
    assert "weeks 02-07 need tensorflow" in _report("jax", None).backend_line


def test_the_setup_cell_warns_under_another_backend(tmp_path, monkeypatch, capsys):
    """The setup cell's report in week 3's folder, Keras answering "jax" (JAX itself: the compatibility
    record, benchmarks/kit_compatibility_generative.py, prints this line from a real JAX venv)."""
    import keras

    folder = tmp_path / "03_adversarial"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    report = runtime.device_report(verbose=True)
    assert (report.backend, report.week, report.backend_supported) == ("jax", "03_adversarial", False)
    assert ("backend     : jax, but 03_adversarial needs Keras' TensorFlow backend: set "
            "KERAS_BACKEND=tensorflow before importing keras") in capsys.readouterr().out
