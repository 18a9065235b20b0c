"""Do the hidden checks of 00_setup accept the reference and reject each plausible mistake,
and does the real week-0 notebook pass `course validate`?

The check tests go through the same path as an instructor's grade cell
(``run_function_check_inline``: hidden cases, the judge encoding, the verdict),
wrapped as the notebook's grade cells wrap them.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from autograder.verdicts.judging import run_function_check_inline

checks_00 = importlib.import_module("autograder.checks.00_setup")


def as_submitted(check_id, fn):
    """Wrap a candidate the way the grade cells hand it to the judge (normalize_images: input too)."""
    if check_id == "normalize_images":
        return lambda images: (fn(images), images)
    return lambda labels, **options: fn(labels, **options)


def verdict(check_id, fn):
    return run_function_check_inline("00_setup", check_id, as_submitted(check_id, fn))


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
    result = verdict("one_hot", lambda labels, num_classes=10: checks_00.one_hot_reference(labels, num_classes))
    assert result.passed, result.message


@pytest.mark.parametrize(
    "mistake, expected",
    [
        (lambda labels, num_classes=10: checks_00.one_hot_reference(labels - 1, num_classes), "wrong column"),
        (lambda labels, num_classes=10: checks_00.one_hot_reference(labels, num_classes).T, "transpose"),
        (lambda labels, num_classes=10: checks_00.one_hot_reference(labels, int(np.max(labels)) + 1),
         "not the largest label"),
        (lambda labels, num_classes=10: checks_00.one_hot_reference(labels, num_classes).astype(np.int64),
         "not float32"),
        (lambda labels, num_classes=10: np.ones((len(labels), num_classes), np.float32), "exactly one 1"),
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



# --------------------------------------------------------------------------- edge cases, whatever the secret
EDGE_CLASSES = {
    "normalize_images": {
        "no channel axis": lambda c: c["images"].ndim == 3,
        "a channel axis": lambda c: c["images"].ndim == 4,
        "black and white pixels": lambda c: c["images"].min() == 0 and c["images"].max() == 255,
        "mid-grey pixels (// 255 gives 0)": lambda c: np.any((c["images"] > 0) & (c["images"] < 255)),
        "the visible sample": lambda c: np.array_equal(c["images"], [[[0, 255], [51, 102]]]),
    },
    "one_hot": {
        "num_classes left to the default": lambda c: "num_classes" not in c,
        "top classes absent": lambda c: "num_classes" in c and c["labels"].max() + 1 < c["num_classes"],
        "a middle class absent": lambda c: len(set(c["labels"])) < c["labels"].max() + 1,
        "a single label value": lambda c: len(set(c["labels"])) == 1,
        "the visible call": lambda c: list(c["labels"]) == [2, 0, 1] and c.get("num_classes") == 3,
    },
}


@pytest.mark.parametrize("check_id", sorted(EDGE_CLASSES))
def test_every_edge_case_class_is_hidden_whatever_the_secret(check_id):
    """Over 50 secrets and the default, does each hidden set hold every edge-case class?"""
    from autograder.verdicts import judging

    check = judging.get_check("00_setup", check_id)
    for secret in [f"term-{i}" for i in range(50)] + [""]:
        cases = check.make_cases(np.random.default_rng(judging.case_seed("00_setup", check_id, secret)))
        missing = [name for name, present in EDGE_CLASSES[check_id].items() if not any(present(c) for c in cases)]
        assert not missing, f"secret {secret!r}: {check_id} lacks {missing}"
