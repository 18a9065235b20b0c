"""The clauses of 00_setup's exercise texts, each with the hidden case that holds a function to it.

Written down beside ``autograder/checks/00_setup.py`` (issue 27, "contract coverage"): every
promise of Exercise 0.1 (``normalize_images``) and 0.2 (``one_hot``), the predicate that picks
the fixed hidden case exercising it (present whatever ``COURSE_JUDGE_SECRET`` is), and the
corpus mistake in ``tests/answers/00_setup/`` that breaks only that clause.
``tests/test_contract_coverage.py`` checks all three. Why a clause is here: a promise no
hidden case tries is a promise a wrong answer can skip (min-max scaling passed while every
hidden batch held both a 0 and a 255).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.verdicts.judging import Clause

Case = dict[str, Any]


def _images(case: Case) -> np.ndarray:
    return np.asarray(case["images"])


def _has_mid_grey(case: Case) -> bool:
    images = _images(case)
    return bool(np.any((images > 0) & (images < 255)))


def _one_hot_columns(case: Case) -> int:
    return int(case.get("num_classes", 10))


CLAUSES: dict[str, tuple[Clause, ...]] = {
    "normalize_images": (
        Clause("every pixel p becomes p / 255 (values are scaled into [0, 1])",
               _has_mid_grey, "normalize_forgets_255"),
        Clause("white (255) becomes exactly 1: divide by 255, not 256",
               lambda case: bool(np.any(_images(case) == 255)), "normalize_divides_by_256"),
        Clause("mid-grey pixels keep their fraction: a float division, not integer division",
               _has_mid_grey, "normalize_integer_division"),
        Clause("p / 255 whatever the rest of the batch: a batch without a white pixel is not "
               "divided by its own maximum", lambda case: bool(_images(case).max() < 255) and _has_mid_grey(case),
               "normalize_divides_by_batch_max"),
        Clause("p / 255 whatever the rest of the batch: a batch without a black pixel is not "
               "shifted by its own minimum (no min-max scaling)",
               lambda case: bool(_images(case).min() > 0), "normalize_min_max"),
        Clause("(N, H, W) input: the channel axis is added, giving (N, H, W, 1)",
               lambda case: _images(case).ndim == 3, "normalize_no_channel_axis"),
        Clause("(N, H, W, 1) input: the shape is kept (no second channel axis)",
               lambda case: _images(case).ndim == 4, "normalize_always_adds_axis"),
        Clause("any image size H x W, not only MNIST's 28 x 28",
               lambda case: _images(case).shape[1:3] != (28, 28), "normalize_reshape_mnist"),
        Clause("returns float32", lambda case: True, "normalize_float64"),
        Clause("returns a new array and leaves images unchanged", lambda case: True, "normalize_clears_input"),
    ),
    "one_hot": (
        Clause("row i holds its single 1 at column labels[i] (labels are 0-based)",
               lambda case: True, "one_hot_off_by_one"),
        Clause("shape (N, K): one row per label, one column per class",
               lambda case: len(case["labels"]) != _one_hot_columns(case), "one_hot_transposed"),
        Clause("K columns, class 0 included (no column dropped)", lambda case: True, "one_hot_drop_first"),
        Clause("num_classes given: K = num_classes columns, even when the top classes are absent "
               "from the batch", lambda case: "num_classes" in case
               and int(np.max(case["labels"])) + 1 < case["num_classes"], "one_hot_largest_label",
               argument="num_classes"),
        Clause("num_classes left out: the default of 10 classes, even when the labels stop below 9",
               lambda case: "num_classes" not in case and int(np.max(case["labels"])) < 9,
               "one_hot_wrong_default"),
        Clause("column k stands for label k, not for the rank of k among the labels seen",
               lambda case: len(np.unique(case["labels"])) < int(np.max(case["labels"])) + 1,
               "one_hot_unique_ranks"),
        Clause("returns float32 (not float64)", lambda case: True, "one_hot_float64"),
        Clause("returns float32 (not an integer array)", lambda case: True, "one_hot_integer_dtype"),
    ),
}
