"""Is there one list of what to hand in, and does ``course_utils/handin.json`` (what the student's
check reads, since ``course_utils`` cannot import the grader) match the checks and the notebooks?"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from autograder.sources import handin

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_lists_match_the_checks_and_the_released_notebooks():
    """Fails after a check's path or a notebook's loading call changed without `course release`."""
    assert (ROOT / handin.HANDIN_FILE).read_text() == handin.render(handin.handin_lists(ROOT)), \
        "course_utils/handin.json is stale: run `course release` (it regenerates the file)"


def test_a_stale_list_is_told_apart():
    lists = handin.handin_lists(ROOT)
    lists["02_cnn_classification"]["graded"].remove("fashion_cnn.keras")
    assert handin.render(lists) != (ROOT / handin.HANDIN_FILE).read_text()


def test_week_2_lists_every_model_its_cells_load_not_only_the_graded_ones():
    week = json.loads((ROOT / handin.HANDIN_FILE).read_text())["weeks"]["02_cnn_classification"]
    assert week["graded"] == ["mnist_cnn.keras", "fashion_cnn.keras"]
    assert set(week["notebook_loads"]) == {"mnist_mlp.keras", "mnist_lenet5.keras"}


def test_a_name_joined_to_another_folder_is_optional_and_left_out(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        'model = training.train_or_load("mine.keras", build)\n'
        'other = Path("..") / "02_cnn_classification" / "mnist_cnn.keras"\n'
        "samples = training.load_artifact('samples.npz')")])
    path = tmp_path / "x.ipynb"
    nbformat.write(notebook, str(path))
    assert handin.notebook_files(path) == ["mine.keras", "samples.npz"]


WEEKS = sorted(json.loads((ROOT / handin.HANDIN_FILE).read_text())["weeks"])


@pytest.mark.parametrize("week", WEEKS)
def test_before_you_submit_names_every_file_the_notebook_and_the_checks_load(week):
    """The one list in the notebook's own words: a student reading it hands in what the grader loads."""
    notebook = nbformat.read(str(ROOT / "assignments" / week / f"{week}.ipynb"), as_version=4)
    text = next(cell.source for cell in reversed(notebook.cells)
                if cell.cell_type == "markdown" and cell.source.startswith("## Before you submit"))
    missing = [name for name in handin.files_to_hand_in(week, ROOT) if f"`{name}`" not in text]
    assert not missing, f"{week}'s 'Before you submit' does not name {missing}"
