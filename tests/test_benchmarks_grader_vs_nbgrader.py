"""benchmarks/grader_vs_nbgrader.py: its record has what RESULTS.md needs, and its nbgrader course is the real layout.

Cheap: nothing here runs nbgrader, a kernel or TensorFlow. The recorded JSON is the one the
script wrote (``make bench``); the course and kernel writers are called on a temporary folder
and the config is read back with traitlets, as nbgrader reads it.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "benchmarks" / "results" / "grader_vs_nbgrader_smoke.json"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def record() -> dict:
    if not RECORD.exists():
        pytest.skip(f"{RECORD.name} not recorded yet (make bench writes it)")
    return json.loads(RECORD.read_text())


def test_record_has_the_fields_the_table_reads(record):
    assert record["profile"] == "smoke" and record["date"] and record["machine"]["cpu_count"]
    assert "git_commit" in record["machine"] and "load_average_at_end" in record
    runs = {run["assignment"]: run for run in record["assignments"]}
    assert set(runs) == {"00_setup", "01_convolution", "02_cnn_classification"}
    for run in runs.values():
        plain, ours = run["nbgrader_autograde"], run["course_grade"]
        assert run["students"] >= 1 and plain["returncode"] == 0
        assert plain["seconds_per_submission"] > 0 and ours["seconds_per_submission"] > 0
        assert run["ratio_nbgrader_over_course_grade"] == pytest.approx(plain["seconds"] / ours["seconds"], rel=0.01)
        assert set(plain["scores"]) == set(ours["scores"]) and isinstance(run["same_scores"], bool)
    trained = runs["02_cnn_classification"]
    assert trained["artifacts"] and trained["nbgrader_autograde"]["models"]["trained"] > 0, \
        "plain nbgrader must have trained the week's models again"
    assert trained["nbgrader_autograde_models_given"]["models"]["trained"] == 0


def test_table_gives_one_row_per_assignment(record):
    table = _module("results_table")
    rows = list(table._grader_vs_nbgrader(record))
    assert len(rows) == len(record["assignments"])
    assert all("nbgrader" in ours and "course grade" in ours and "×" in ours for _, ours, _, _ in rows)
    assert all("sandbox and out-of-process judging" in measure for measure, _, _, _ in rows)


def test_note_says_which_results_this_run_wrote(record, tmp_path, monkeypatch):
    table = _module("results_table")
    shutil.copy(RECORD, tmp_path / RECORD.name)
    (tmp_path / "some_calibration.json").write_text("{}")
    monkeypatch.setattr(table, "RESULTS", tmp_path)
    fresh = table.provenance(since=0.0)
    assert any(RECORD.name in line and "run this time" in line for line in fresh)
    assert any("some_calibration.json" in line and "no row" in line for line in fresh)
    kept = table.provenance(since=None)
    assert any(RECORD.name in line and "kept from an earlier run" in line for line in kept)


def _config(course: Path):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def test_nbgrader_course_layout_and_config(tmp_path):
    bench = _module("grader_vs_nbgrader")
    submissions = tmp_path / "class"
    (submissions / "student_00").mkdir(parents=True)
    (submissions / "student_00" / "00_setup.ipynb").write_text("{}")
    (submissions / "student_00" / "model.keras").write_text("")
    for keep in (False, True):
        course = tmp_path / f"course_{keep}"
        bench.write_course(course, "00_setup", ["student_00"], submissions, keep_models=keep)
        bench.write_kernel(course / "_jupyter", drop_grading_flag=not keep)
        assert (course / "solutions" / "00_setup" / "00_setup.ipynb").is_file()
        assert (course / "submitted" / "student_00" / "00_setup" / "model.keras").is_file()
        config = _config(course)
        assert Path(config.CourseDirectory.root) == course
        assert ("*.keras" in config.CourseDirectory.ignore) is not keep
        argv = json.loads((course / "_jupyter" / "kernels" / "python3" / "kernel.json").read_text())["argv"]
        assert (argv[:3] == ["env", "-u", "NBGRADER_EXECUTION"]) is not keep


def test_check_accepts_the_record(record, tmp_path, monkeypatch):
    """``results_table --check`` (make bench-smoke) passes on a results folder holding this record."""
    table = _module("results_table")
    shutil.copy(RECORD, tmp_path / RECORD.name)
    monkeypatch.setattr(table, "RESULTS", tmp_path)
    assert table.check(table.rows()) == []
