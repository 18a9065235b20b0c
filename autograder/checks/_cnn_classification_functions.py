"""The function checks of 02_cnn_classification: references, hidden cases and judges.

Counting by hand (Exercises 2.1 and 2.2) and the confusion matrix (Exercise 2.6), split from
``02_cnn_classification.py`` (which keeps the artifact checks and ``CHECKS``) to keep both short;
batch normalisation (Exercise 2.4) is in ``_cnn_classification_batchnorm.py``.
Keras' conventions: square kernels, ``"valid"`` or ``"same"`` padding, channels last.
The clauses these cases hold a function to are in ``_cnn_classification_contract.py``.

``conv_output_shape``'s grade cell hands back ``(raised, value)``: ``(1, 0)`` when the
student's function raised ValueError (a padding other than "valid" or "same" must), else
``(0, its value)``, since a case that raises is the student's zero before any judge sees it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograder.verdicts.judging import Cases, Verdict
from course_utils.judge import CaseResult


# --------------------------------------------------------------------------- references
def conv_output_size_reference(input_size: int, kernel_size: int, stride: int = 1, padding: str = "valid") -> int:
    """Output size along one axis of a Keras conv or pooling layer (square kernels)."""
    if padding == "valid":
        return 1 + (input_size - kernel_size) // stride
    if padding == "same":
        return math.ceil(input_size / stride)
    raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")


def conv_params_reference(kernel_size: int, in_channels: int, filters: int, use_bias: bool = True) -> int:
    """Trainable parameters of ``Conv2D(filters, kernel_size)`` on ``in_channels`` channels."""
    return kernel_size * kernel_size * in_channels * filters + (filters if use_bias else 0)


def dense_params_reference(in_features: int, units: int, use_bias: bool = True) -> int:
    """Trainable parameters of ``Dense(units)`` on ``in_features`` inputs."""
    return in_features * units + (units if use_bias else 0)


def confusion_matrix_reference(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> np.ndarray:
    """``(num_classes, num_classes)`` counts, rows = true class, columns = predicted class."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.int64)), 1)
    return matrix


# --------------------------------------------------------------------------- cases
# Hidden cases = the fixed ones below (always present, whatever COURSE_JUDGE_SECRET is: the
# grade cells' visible asserts, then one line per classic mistake they catch) + random ones.
# The grade cells pass an optional argument only when a case has it, and the *_DEFAULTS cases
# leave some out, so the notebook's defaults (stride=1, padding="valid", use_bias=True) are
# judged too: whatever the secret, a changed default fails.
SHAPE_EDGE_CASES: list[tuple[int, int, int, str]] = [
    (28, 5, 1, "valid"), (28, 5, 1, "same"), (13, 3, 2, "same"),  # the visible asserts
    (7, 7, 1, "valid"),      # kernel = input: 1, the "+ 1" of VALID
    (13, 2, 2, "valid"),     # (13 - 2) / 2 = 5.5: floor division, not a float
    (224, 11, 4, "valid"),   # AlexNet's conv1: 54
    (9, 1, 3, "valid"),      # kernel smaller than stride
    (10, 3, 4, "same"),      # stride > kernel under SAME: ceil(10 / 4) = 3
    (15, 2, 2, "same"),      # even kernel, stride 2: symmetric (K - 1) // 2 padding gives 7, not 8
    (28, 4, 1, "same"),      # even kernel, stride 1: symmetric padding loses a pixel (27, not 28)
    (14, 3, 3, "same"),      # 14 / 3 rounds up to 5 (floor gives 4)
]
SHAPE_DEFAULTS_CASES: list[dict[str, Any]] = [  # arguments left out take the notebook's defaults
    {"input_size": 28, "kernel_size": 5},                      # stride 1, "valid": 24
    {"input_size": 13, "kernel_size": 3, "stride": 2},         # "valid": 6 ("same" would give 7)
    {"input_size": 10, "kernel_size": 3, "padding": "same"},   # stride 1: 10
]
CONV_PARAMS_EDGE_CASES: list[tuple[int, int, int, bool]] = [
    (5, 1, 6, True), (5, 6, 16, True), (3, 64, 128, False),  # the visible asserts
    (1, 32, 8, True),        # 1x1 kernel: the kernel area is not the channel count
    (11, 3, 96, True),       # AlexNet's conv1: 34,944
    (3, 16, 4, True),        # in_channels != filters: one bias per filter, not per input channel
    (7, 5, 2, False),        # no bias, C_in != C_out
]
CONV_PARAMS_DEFAULTS_CASES: list[dict[str, Any]] = [{"kernel_size": 3, "in_channels": 8, "filters": 4}]  # 292

DENSE_PARAMS_EDGE_CASES: list[tuple[int, int, bool]] = [
    (400, 120, True), (128, 10, False),  # the visible asserts
    (84, 10, True),          # LeNet-5's output layer
    (9216, 4096, True),      # AlexNet's fc6: 37,752,832
    (10, 84, True),          # in_features < units: one bias per unit, not per input
]
DENSE_PARAMS_DEFAULTS_CASES: list[dict[str, Any]] = [{"in_features": 50, "units": 7}]  # with bias: 357



# "anything else raises ValueError" (Exercise 2.1): Keras's Conv2D raises ValueError on these too.
SHAPE_BAD_PADDING_CASES: list[dict[str, Any]] = [
    {"input_size": 28, "kernel_size": 5, "stride": 1, "padding": "full"},  # NumPy's third mode: 32 if computed
]
VALID_PADDINGS = ("valid", "same")


def _shape_cases(rng: np.random.Generator) -> Cases:
    """SHAPE_EDGE_CASES, SHAPE_DEFAULTS_CASES and SHAPE_BAD_PADDING_CASES, then 16 random layer configurations."""
    cases = [{"input_size": n, "kernel_size": k, "stride": s, "padding": p} for n, k, s, p in SHAPE_EDGE_CASES]
    cases += [dict(case) for case in SHAPE_DEFAULTS_CASES + SHAPE_BAD_PADDING_CASES]
    for _ in range(16):
        size = int(rng.integers(5, 65))
        kernel = int(rng.integers(1, min(size, 8) + 1))
        cases.append({"input_size": size, "kernel_size": kernel, "stride": int(rng.integers(1, 5)),
                      "padding": str(rng.choice(["valid", "same"]))})
    return cases


def _conv_params_cases(rng: np.random.Generator) -> Cases:
    """CONV_PARAMS_EDGE_CASES and CONV_PARAMS_DEFAULTS_CASES, then 10 random layers."""
    cases = [{"kernel_size": k, "in_channels": c, "filters": f, "use_bias": b}
             for k, c, f, b in CONV_PARAMS_EDGE_CASES]
    cases += [dict(case) for case in CONV_PARAMS_DEFAULTS_CASES]
    for _ in range(10):
        cases.append({"kernel_size": int(rng.choice([1, 3, 5, 7])), "in_channels": int(rng.integers(1, 257)),
                      "filters": int(rng.integers(1, 257)), "use_bias": bool(rng.integers(0, 2))})
    return cases


def _dense_params_cases(rng: np.random.Generator) -> Cases:
    """DENSE_PARAMS_EDGE_CASES and DENSE_PARAMS_DEFAULTS_CASES, then 8 random layers."""
    cases = [{"in_features": n, "units": u, "use_bias": b} for n, u, b in DENSE_PARAMS_EDGE_CASES]
    cases += [dict(case) for case in DENSE_PARAMS_DEFAULTS_CASES]
    for _ in range(8):
        cases.append({"in_features": int(rng.integers(1, 5000)), "units": int(rng.integers(1, 1000)),
                      "use_bias": bool(rng.integers(0, 2))})
    return cases


# (y_true, y_pred, num_classes); each catches the mistake named beside it.
CONFUSION_EDGE_CASES: list[tuple[list[int], list[int], int]] = [
    ([0, 0, 1, 2], [0, 1, 1, 1], 3),                   # the visible assert: rows are the truth
    ([0, 0, 0, 1, 1, 2], [0, 0, 0, 1, 1, 2], 3),       # repeated pairs: matrix[t, p] += 1 counts them once
    ([0, 1, 2, 0, 1, 2], [0, 0, 0, 1, 1, 1], 3),       # class 2 never predicted: its column stays 0
    ([3, 3, 1, 0], [1, 3, 0, 0], 5),                   # classes 2 and 4 absent everywhere: 5x5, not 4x4 or 3x3
    ([2, 0, 2, 0], [0, 2, 2, 2], 3),                   # labels {0, 2} only: indices are labels, not ranks
]


def _confusion_cases(rng: np.random.Generator) -> Cases:
    """CONFUSION_EDGE_CASES, then random and skewed predictions; one with a class that never occurs."""
    cases = [{"y_true": np.asarray(t, dtype=np.int64), "y_pred": np.asarray(p, dtype=np.int64), "num_classes": k}
             for t, p, k in CONFUSION_EDGE_CASES]
    for n, k in [(50, 3), (200, 10), (7, 4)]:
        y_true = rng.integers(0, k, size=n)
        y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, k, size=n))
        cases.append({"y_true": y_true.astype(np.int64), "y_pred": y_pred.astype(np.int64), "num_classes": k})
    y_true = rng.integers(0, 4, size=30)  # class 4 never appears: its row and column stay zero
    cases.append({"y_true": y_true, "y_pred": (y_true + 1) % 4, "num_classes": 5})
    return cases


# --------------------------------------------------------------------------- judges
def _scalar(result: CaseResult) -> float | None:
    """The single number a counting function returned, or None when it returned something else."""
    if result.outputs is None or len(result.outputs) != 1 or result.outputs[0].size != 1:
        return None
    return float(result.outputs[0].reshape(()))


def _describe(case: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in case.items())


def _count_judge(check_id: str, reference, hint: str):
    """A judge comparing one integer per case with ``reference(**case)``; the message names the inputs."""

    def judge(cases: Cases, results: list[CaseResult]) -> Verdict:
        for case, result in zip(cases, results):
            value = _scalar(result)
            if value is None:
                return Verdict(False, f"{check_id}({_describe(case)}) must return one integer.")
            if value != reference(**case):
                return Verdict(False, f"{check_id}({_describe(case)}) returned {value:g}, which is not "
                                      f"right. {hint}")
        return Verdict(True, f"{check_id}: correct on {len(cases)} hidden layer configurations.")

    return judge


def _shape_outcome(result: CaseResult) -> tuple[bool, float | None]:
    """(raised ValueError, the single number returned or None) from the grade cell's ``(raised, value)``;
    a single value (a grade cell from before the pair) counts as returned."""
    outputs = result.outputs or ()
    if len(outputs) == 2 and outputs[0].size == 1:
        if float(outputs[0].reshape(())) == 1.0:
            return True, None
        outputs = outputs[1:]
    if len(outputs) != 1 or outputs[0].size != 1:
        return False, None
    return False, float(outputs[0].reshape(()))


def _judge_shape(cases: Cases, results: list[CaseResult]) -> Verdict:
    """The output size on each layer configuration, and ValueError for a padding other than valid/same."""
    for case, result in zip(cases, results):
        raised, value = _shape_outcome(result)
        call = f"conv_output_shape({_describe(case)})"
        if case.get("padding", "valid") not in VALID_PADDINGS:
            if not raised:
                got = "nothing" if value is None else f"{value:g}"
                return Verdict(False, f"{call} returned {got} instead of raising ValueError: padding is "
                                      "'valid' or 'same', and anything else raises ValueError (as Keras does).")
            continue
        if raised:
            return Verdict(False, f"{call} raised ValueError, but {case.get('padding', 'valid')!r} is a padding "
                                  "it must handle.")
        if value is None:
            return Verdict(False, f"{call} must return one integer.")
        if value != conv_output_size_reference(**case):
            return Verdict(False, f"{call} returned {value:g}, which is not right. Check the + 1 of 'valid' "
                                  "padding and that 'same' padding rounds up.")
    return Verdict(True, f"conv_output_shape: correct on {len(cases)} hidden layer configurations, and "
                         "ValueError for a padding other than 'valid' or 'same'.")


def _judge_confusion(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        expected = confusion_matrix_reference(**case)
        output = result.outputs[0] if result.outputs and len(result.outputs) == 1 else None
        if output is None or output.shape != expected.shape:
            shape = None if output is None else output.shape
            return Verdict(False, f"confusion_matrix: expected a ({case['num_classes']}, "
                                  f"{case['num_classes']}) array for num_classes={case['num_classes']}, "
                                  f"got shape {shape}.")
        if not np.array_equal(output, expected):
            hint = (" Rows must be the true classes and columns the predictions."
                    if np.array_equal(output, expected.T) else "")
            return Verdict(False, f"confusion_matrix: wrong counts on a hidden case with "
                                  f"{len(case['y_true'])} labels.{hint}")
    return Verdict(True, f"confusion_matrix: correct on {len(cases)} hidden cases.")
