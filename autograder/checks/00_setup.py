"""Hidden checks of 00_setup: scaling pixels and one-hot labels.

The dtype of each value as the student's function returned it arrives in
``CaseResult.dtypes`` (the judge converts the values themselves to float64).
normalize_images' grade cell hands back ``(output, images)``, the input as it is
after the call, to see an in-place change; one_hot's passes ``num_classes`` only
when the case holds it, so the default is judged too.

Hidden cases always include the grade cells' visible inputs and the edge cases
below; the secret only draws values and adds random cases. Each exercise's clauses,
and the case and corpus mistake that hold a function to each, are in
``_setup_contract.py``.
References below are written here, never shipped; messages name the likely
mistake without showing the hidden inputs.
"""

from __future__ import annotations

import numpy as np

from autograder.checks._setup_contract import CLAUSES
from autograder.verdicts.judging import Cases, FunctionCheck, Verdict
from course_utils.judge import CaseResult

ASSIGNMENT = "00_setup"
# Both answers are exact in float32 (k / 255 rounded once, or 0 and 1), so only
# rounding of float32 division separates correct answers: 1e-6 is far above it
# and far below the 1/255 - 1/256 ≈ 1.5e-5 of the classic divide-by-256 mistake.
ATOL = 1e-6


def normalize_reference(images: np.ndarray) -> np.ndarray:
    """images: uint8 (N, H, W) or (N, H, W, 1) -> float32 (N, H, W, 1) in [0, 1]."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    return images.astype(np.float32) / np.float32(255.0)


def one_hot_reference(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """labels: int (N,) in [0, num_classes) -> float32 (N, num_classes), one 1 per row."""
    labels = np.asarray(labels, dtype=np.int64)
    return np.eye(num_classes, dtype=np.float32)[labels]


# The grade cell's visible sample (solutions/00_setup, test_normalize_images): one 2x2 image
# without a channel axis holding 0, 255 and values that integer division by 255 sends to 0.
VISIBLE_IMAGES = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
# Always among the hidden batches: with and without the channel axis, MNIST-sized and odd-sized,
# each holding 0 and 255 (white must map to exactly 1: divide by 255, not 256) and mid-grey values
# (integer division // 255 turns them into 0; forgetting to divide leaves them above 1).
NORMALIZE_SHAPES = [(3, 28, 28), (2, 28, 28, 1), (4, 5, 7, 1), (1, 9, 6)]
# Also always there: batches that lack one end of the range, since p / 255 must not depend on the
# rest of the batch (issue 27: division by the batch maximum and min-max scaling passed while every
# batch held both a 0 and a 255). (shape, lowest, highest) of the values drawn; both ends are planted.
PARTIAL_RANGE_BATCHES: list[tuple[tuple[int, ...], int, int]] = [
    ((3, 6, 5), 0, 200),       # no white pixel: dividing by the batch's maximum gives p / 200
    ((2, 5, 6, 1), 30, 255),   # no black pixel: min-max scaling gives (p - 30) / 225
]


def _make_normalize_cases(rng: np.random.Generator) -> Cases:
    """The visible sample, one batch per shape in NORMALIZE_SHAPES, then PARTIAL_RANGE_BATCHES
    (values from the secret, the ends of each range planted)."""
    cases = [{"images": VISIBLE_IMAGES.copy()}]
    for shape in NORMALIZE_SHAPES:
        images = rng.integers(0, 256, size=shape, dtype=np.uint8)
        images.flat[0], images.flat[1], images.flat[2] = 255, 0, 128
        cases.append({"images": images})
    for shape, low, high in PARTIAL_RANGE_BATCHES:
        images = rng.integers(low, high + 1, size=shape, dtype=np.uint8)
        images.flat[0], images.flat[1], images.flat[2] = high, low, (low + high) // 2
        cases.append({"images": images})
    return cases


def _batch_dependent_hint(output: np.ndarray, images: np.ndarray) -> str | None:
    """A hint when the values are the batch scaled by its own range (min-max scaling, division by
    the batch's maximum: on a batch with a 0 the two agree), else None."""
    pixels = images.reshape(output.shape).astype(np.float64)
    low, high = pixels.min(), pixels.max()
    if high > low and any(np.allclose(output, scaled, rtol=0, atol=ATOL)
                          for scaled in ((pixels - low) / (high - low), pixels / high)):
        return ("the values depend on the rest of the batch (scaled by its own minimum or maximum): "
                "every pixel p should become p / 255, also in a batch without a black or a white pixel")
    return None


def _split(check_id: str, result: CaseResult, count: int) -> tuple[tuple[np.ndarray, ...], str]:
    """The ``count`` values a grade cell hands back, and the dtype of the first as returned."""
    if result.outputs is None or len(result.outputs) != count:
        raise ValueError(f"{check_id}: expected {count} value(s) from the grade cell")
    if not result.dtypes:
        raise ValueError(f"{check_id}: the grader did not record the dtype of the result")
    return result.outputs, result.dtypes[0]


def _judge_normalize(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        images = case["images"]
        (output, images_after), dtype = _split("normalize_images", result, 2)
        expected = normalize_reference(images)
        if output.shape != expected.shape:
            hint = ("add a channel axis when it is missing (images[..., np.newaxis])"
                    if output.shape == images.shape and images.ndim == 3
                    else "the result should keep N, H, W and end with one channel axis")
            return Verdict(False, f"normalize_images: for input shape {images.shape} the output has shape "
                                  f"{output.shape}, expected {expected.shape}: {hint}.")
        if not np.allclose(output, expected, rtol=0, atol=ATOL):
            batch_hint = _batch_dependent_hint(output, images)
            if np.allclose(output, images.reshape(expected.shape) / 256.0, rtol=0, atol=ATOL):
                hint = "divide by 255 (the largest pixel value), not 256, so that white maps to exactly 1"
            elif batch_hint is not None:
                hint = batch_hint
            elif output.max() > 1.0 + ATOL:
                hint = "the values are above 1: scale the pixels into [0, 1]"
            else:
                hint = "every pixel p should become p / 255"
            return Verdict(False, f"normalize_images: wrong values on a hidden batch: {hint}.")
        if dtype != "float32":
            return Verdict(False, f"normalize_images: the values are right but the dtype is {dtype}, not float32 "
                                  "(Keras trains in float32; use .astype(np.float32)).")
        if images_after.shape != images.shape or not np.array_equal(images_after, images):
            return Verdict(False, "normalize_images: it changed its input array in place; work on a copy "
                                  "(images.astype(np.float32) makes one).")
    return Verdict(True, "normalize_images is correct on every hidden batch.")


DEFAULT_NUM_CLASSES = 10  # one_hot's documented default (the notebook's signature)
# Always among the hidden label vectors (num_classes None: the call leaves it to the default).
# Each line names the mistake it catches.
# Non-square cases come first, so that a transposed answer is told so by its shape.
ONE_HOT_EDGE_CASES: list[tuple[list[int], int | None]] = [
    ([4, 4, 4], 5),                 # one label only: a rank among the labels seen (np.unique) gives column 0
    ([0, 2, 2, 5], 7),              # classes 1, 3, 4, 6 absent: columns from num_classes, not max + 1
    ([6, 1, 0, 3], 7),              # unsorted, the last class present: off-by-one labels fall off the edge
    ([2, 0, 1], 3),                 # the grade cell's visible call: column k stands for label k
    ([3, 3], None),                 # the visible default: 10 columns without num_classes
]


def _make_one_hot_cases(rng: np.random.Generator) -> Cases:
    """The fixed cases above, then random label vectors; some never use the top classes."""
    cases = [{"labels": np.asarray(labels, dtype=np.int64)} | ({} if k is None else {"num_classes": k})
             for labels, k in ONE_HOT_EDGE_CASES]
    return cases + [
        {"labels": rng.integers(0, 10, size=50), "num_classes": 10},
        {"labels": rng.integers(0, 4, size=12), "num_classes": 7},  # the top classes never appear
        {"labels": rng.integers(0, 17, size=30), "num_classes": 17},
    ]


def _judge_one_hot(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        labels = np.asarray(case["labels"])
        num_classes = int(case.get("num_classes", DEFAULT_NUM_CLASSES))
        (output,), dtype = _split("one_hot", result, 1)
        expected = one_hot_reference(labels, num_classes)
        if output.shape != expected.shape:
            if output.shape == expected.shape[::-1]:
                hint = "one row per label and one column per class, not the transpose"
            elif "num_classes" not in case and output.ndim == 2 and output.shape[0] == len(labels):
                hint = f"without num_classes, one_hot should use its default of {DEFAULT_NUM_CLASSES} classes"
            elif output.ndim == 2 and output.shape[0] == len(labels):
                hint = "use num_classes for the number of columns, not the largest label seen"
            else:
                hint = "the result should have shape (number of labels, num_classes)"
            return Verdict(False, f"one_hot: for {len(labels)} labels and num_classes={num_classes} the output "
                                  f"has shape {output.shape}, expected {expected.shape}: {hint}.")
        if not np.allclose(output, expected, rtol=0, atol=ATOL):
            if np.all(np.abs(output.sum(axis=1) - 1) <= ATOL):
                hint = "each row has a single 1 but in the wrong column: column k stands for label k"
            else:
                hint = "each row should hold exactly one 1 (at the label's column) and zeros elsewhere"
            return Verdict(False, f"one_hot: wrong values on hidden labels: {hint}.")
        if dtype != "float32":
            return Verdict(False, f"one_hot: the values are right but the dtype is {dtype}, not float32 "
                                  "(Keras losses expect float32 targets; use dtype=np.float32).")
    return Verdict(True, "one_hot is correct on every hidden label vector.")


CHECKS = [
    FunctionCheck(
        id="normalize_images",
        points=1,
        description="scales uint8 images to float32 in [0, 1] with a channel axis",
        make_cases=_make_normalize_cases,
        judge=_judge_normalize,
        clauses=CLAUSES["normalize_images"],
    ),
    FunctionCheck(
        id="one_hot",
        points=1,
        description="one-hot encodes labels as float32 (N, num_classes)",
        make_cases=_make_one_hot_cases,
        judge=_judge_one_hot,
        clauses=CLAUSES["one_hot"],
    ),
]
