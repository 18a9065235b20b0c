"""Do artifact checks take the instructor's private evaluation images when there are some, and
does the class report say so when models were judged on a public test split instead?"""

from __future__ import annotations

import numpy as np
import pytest

from autograder.grading import grade_class as grading
from autograder.checks import _evaluation_set as evaluation


def _write(folder, name: str, images: np.ndarray, labels: np.ndarray) -> None:
    np.savez(folder / f"{name}.npz", images=images, labels=labels)


def test_a_private_set_is_read_with_a_channel_axis_and_cut_to_the_limit(tmp_path, monkeypatch):
    images = np.arange(5 * 28 * 28, dtype=np.int64).reshape(5, 28, 28).astype(np.uint8)
    _write(tmp_path, "mnist", images, np.array([3, 1, 4, 1, 5]))
    monkeypatch.setenv(evaluation.EVAL_DIR_ENV, str(tmp_path))
    x, y, where = evaluation.evaluation_set("mnist", 3)
    assert x.shape == (3, 28, 28, 1) and x.dtype == np.uint8 and np.array_equal(x[..., 0], images[:3])
    assert y.tolist() == [3, 1, 4] and where == "private evaluation images"
    assert len(evaluation.evaluation_set("mnist", "all")[1]) == 5


def test_a_malformed_private_set_is_a_course_error_that_says_what_it_needs(tmp_path, monkeypatch):
    _write(tmp_path, "mnist", np.zeros((4, 28, 28), np.float32), np.zeros(4, int))
    monkeypatch.setenv(evaluation.EVAL_DIR_ENV, str(tmp_path))
    with pytest.raises(evaluation.EvaluationSetError, match="uint8"):
        evaluation.evaluation_set("mnist", "all")


def test_without_a_private_set_the_public_split_is_used_and_the_report_warns(tmp_path, monkeypatch):
    """Does the TA hear, per dataset, that models were judged on a public split (and not once a
    private file for that dataset is there)?"""
    monkeypatch.delenv(evaluation.EVAL_DIR_ENV, raising=False)
    warning = grading.evaluation_set_warning("02_cnn_classification")
    assert warning and "public mnist and fashion_mnist test split" in warning and evaluation.EVAL_DIR_ENV in warning
    assert grading.evaluation_set_warning("00_setup") is None  # no saved model is judged there
    _write(tmp_path, "mnist", np.zeros((2, 28, 28), np.uint8), np.zeros(2, int))
    monkeypatch.setenv(evaluation.EVAL_DIR_ENV, str(tmp_path))
    assert "public fashion_mnist test split" in grading.evaluation_set_warning("02_cnn_classification")


@pytest.mark.parametrize("week", ["03_adversarial", "05_autoencoders", "06_gans"])
def test_weeks_judged_on_the_public_split_whatever_is_given_say_so(tmp_path, monkeypatch, week):
    """Weeks 3, 5 and 6 read MNIST's public test split even with a private set given: does the
    report tell the TA, naming the risk of a model that memorised it?"""
    _write(tmp_path, "mnist", np.zeros((2, 28, 28), np.uint8), np.zeros(2, int))
    monkeypatch.setenv(evaluation.EVAL_DIR_ENV, str(tmp_path))
    warning = grading.evaluation_set_warning(week)
    assert warning and "public mnist test split" in warning and "memorised" in warning
