"""Hidden checks of 00_setup: scaling pixels and one-hot labels.

The notebook's grade cells hand the student's function over wrapped so that it
returns ``(output, is_float32)``: the judge protocol converts every output to
float64 on its way out of the sandbox, so the dtype has to travel as a flag.
References below are written here, never shipped; messages name the likely
mistake without showing the hidden inputs.
"""

from __future__ import annotations

import numpy as np

from autograder.judging import Cases, FunctionCheck, Verdict
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


def _make_normalize_cases(rng: np.random.Generator) -> Cases:
    """Batches with and without the channel axis, MNIST-sized and odd-sized."""
    cases = []
    for shape in [(3, 28, 28), (2, 28, 28, 1), (4, 5, 7, 1), (1, 9, 6)]:
        images = rng.integers(0, 256, size=shape, dtype=np.uint8)
        images.flat[0], images.flat[1] = 255, 0  # the extremes must map to exactly 1 and 0
        cases.append({"images": images})
    return cases


def _split(check_id: str, result: CaseResult) -> tuple[np.ndarray, bool]:
    """The (output, is_float32) pair a grade cell hands back."""
    if result.outputs is None or len(result.outputs) != 2:
        raise ValueError(f"{check_id}: expected (output, is_float32) from the grade cell's wrapper")
    output, flag = result.outputs
    return output, bool(flag)


def _judge_normalize(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        images = case["images"]
        output, is_float32 = _split("normalize_images", result)
        expected = normalize_reference(images)
        if output.shape != expected.shape:
            hint = ("add a channel axis when it is missing (images[..., np.newaxis])"
                    if output.shape == images.shape and images.ndim == 3
                    else "the result should keep N, H, W and end with one channel axis")
            return Verdict(False, f"normalize_images: for input shape {images.shape} the output has shape "
                                  f"{output.shape}, expected {expected.shape}: {hint}.")
        if not np.allclose(output, expected, rtol=0, atol=ATOL):
            if np.allclose(output, images.reshape(expected.shape) / 256.0, rtol=0, atol=ATOL):
                hint = "divide by 255 (the largest pixel value), not 256, so that white maps to exactly 1"
            elif output.max() > 1.0 + ATOL:
                hint = "the values are above 1: scale the pixels into [0, 1]"
            else:
                hint = "every pixel p should become p / 255"
            return Verdict(False, f"normalize_images: wrong values on a hidden batch: {hint}.")
        if not is_float32:
            return Verdict(False, "normalize_images: the values are right but the dtype is not float32 "
                                  "(Keras trains in float32; use .astype(np.float32)).")
    return Verdict(True, "normalize_images is correct on every hidden batch.")


def _make_one_hot_cases(rng: np.random.Generator) -> Cases:
    """Label vectors for several class counts; some never use the last class."""
    return [
        {"labels": rng.integers(0, 10, size=50), "num_classes": 10},
        {"labels": rng.integers(0, 4, size=12), "num_classes": 7},  # the top classes never appear
        {"labels": np.array([4, 4, 4]), "num_classes": 5},
        {"labels": rng.integers(0, 17, size=30), "num_classes": 17},
    ]


def _judge_one_hot(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        labels, num_classes = np.asarray(case["labels"]), int(case["num_classes"])
        output, is_float32 = _split("one_hot", result)
        expected = one_hot_reference(labels, num_classes)
        if output.shape != expected.shape:
            if output.shape == expected.shape[::-1]:
                hint = "one row per label and one column per class, not the transpose"
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
        if not is_float32:
            return Verdict(False, "one_hot: the values are right but the dtype is not float32 "
                                  "(Keras losses expect float32 targets; use dtype=np.float32).")
    return Verdict(True, "one_hot is correct on every hidden label vector.")


CHECKS = [
    FunctionCheck(
        id="normalize_images",
        points=1,
        description="scales uint8 images to float32 in [0, 1] with a channel axis",
        make_cases=_make_normalize_cases,
        judge=_judge_normalize,
    ),
    FunctionCheck(
        id="one_hot",
        points=1,
        description="one-hot encodes labels as float32 (N, num_classes)",
        make_cases=_make_one_hot_cases,
        judge=_judge_one_hot,
    ),
]
