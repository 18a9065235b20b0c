"""Do the hidden checks of 00_setup accept the reference and reject each plausible mistake,
and does the real week-0 notebook pass `course validate`?

The check tests go through the same path as an instructor's grade cell
(``run_function_check_inline``: hidden cases, the judge encoding, the verdict),
with the ``(output, is_float32)`` wrapper the notebook's grade cells use.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from autograder import release
from autograder.judging import run_function_check_inline

checks_00 = importlib.import_module("autograder.checks.00_setup")


def as_submitted(fn):
    """Wrap a candidate the way the grade cells hand it to the judge."""
    return lambda *args, **kwargs: (fn(*args, **kwargs), np.asarray(fn(*args, **kwargs)).dtype == np.float32)


def verdict(check_id, fn):
    return run_function_check_inline("00_setup", check_id, as_submitted(fn))


def test_normalize_images_accepts_reference():
    result = verdict("normalize_images", checks_00.normalize_reference)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "mistake, expected",
    [
        (lambda images: checks_00.normalize_reference(images) * 255 / 256, "not 256"),
        (lambda images: np.asarray(images, dtype=np.float32) / 255, "add a channel axis"),
        (lambda images: checks_00.normalize_reference(images).astype(np.float64), "not float32"),
        (lambda images: checks_00.normalize_reference(images) * 255, "above 1"),
        (lambda images: checks_00.normalize_reference(images)[..., 0], "shape"),
        (lambda images: 1 - checks_00.normalize_reference(images), "p / 255"),
    ],
    ids=["divides-by-256", "no-channel-axis", "float64", "not-scaled", "drops-channel-axis", "inverted"],
)
def test_normalize_images_rejects(mistake, expected):
    result = verdict("normalize_images", mistake)
    assert not result.passed
    assert expected in result.message


def test_one_hot_accepts_reference():
    result = verdict("one_hot", checks_00.one_hot_reference)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "mistake, expected",
    [
        (lambda labels, num_classes: checks_00.one_hot_reference(labels - 1, num_classes), "wrong column"),
        (lambda labels, num_classes: checks_00.one_hot_reference(labels, num_classes).T, "transpose"),
        (lambda labels, num_classes: checks_00.one_hot_reference(labels, int(np.max(labels)) + 1),
         "not the largest label"),
        (lambda labels, num_classes: checks_00.one_hot_reference(labels, num_classes).astype(np.int64),
         "not float32"),
        (lambda labels, num_classes: np.ones((len(labels), num_classes), np.float32), "exactly one 1"),
    ],
    ids=["off-by-one", "transposed", "largest-label", "integer-dtype", "all-ones"],
)
def test_one_hot_rejects(mistake, expected):
    result = verdict("one_hot", mistake)
    assert not result.passed
    assert expected in result.message


def test_a_function_that_raises_gets_a_plain_message():
    def not_done(images):
        raise NotImplementedError()

    result = run_function_check_inline("00_setup", "normalize_images", not_done)
    assert not result.passed and "NotImplementedError" in result.message


@pytest.mark.slow
def test_course_validate_passes_on_00_setup(monkeypatch):
    """Does the real week-0 notebook pass all six checks (smoke profile)?"""
    from course_utils import data

    if not data.is_prepared("mnist"):
        pytest.skip("MNIST is not prepared: run `course data prepare` (make test does).")
    monkeypatch.setenv("COURSE_PROFILE", "smoke")
    report = release.validate("00_setup")
    assert report.ok, report.render()
