"""What every attack's answer must satisfy before its effect is measured (03_adversarial, grader side).

Per hidden case: the grade cell's wrapper returns ``(x_adv, x after the call)``; the images
must have the shape of ``x``, leave ``x`` untouched, stay within the L-infinity ball of radius
``eps`` and in [0, 1]. Each finder returns the student's message, or None. Shapes: ``x`` and
``x_adv`` are ``(N, 28, 28, 1)`` float images in [0, 1].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks._adversarial_hidden import hidden_cnn_weights
from course_utils.judge import CaseResult

# float32 arithmetic: x + eps * sign(g) is rounded once (<= 6e-8 for values <= 1);
# 1e-6 is far above that and far below any real violation of the budget.
ATOL = 1e-6


def is_linear(case: dict[str, Any]) -> bool:
    return "kernel" in case


def _outputs(check_id: str, result: CaseResult, expected_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The grade cell's ``(adversarial images, x after the call)`` pair, shape-checked."""
    if result.outputs is None or len(result.outputs) != 2:
        raise ValueError(f"{check_id}: expected (x_adv, x) from the grade cell's wrapper")
    adversarial, x_after = result.outputs
    if adversarial.shape != expected_shape:
        raise _ShapeError(f"{check_id}: for x of shape {expected_shape} your function returned shape "
                          f"{adversarial.shape}; return adversarial images of the same shape as x.")
    return adversarial, x_after


class _ShapeError(ValueError):
    """A student output of the wrong shape; the message is meant for the student."""


def _budget_problem(check_id: str, x: np.ndarray, adversarial: np.ndarray, eps: float) -> str | None:
    """Why ``adversarial`` leaves the eps-ball around ``x`` or [0, 1], or None."""
    if not np.all(np.isfinite(adversarial)):
        return f"{check_id}: the adversarial images contain NaN or infinite values."
    distance = float(np.max(np.abs(adversarial - x))) if x.size else 0.0
    if distance > eps + ATOL:
        return (f"{check_id}: a pixel moved by {distance:.4g}, more than eps = {eps:g} (L-infinity budget). "
                "Step by eps times the *sign* of the gradient (not the gradient itself), and for "
                "several steps project back with clip(x_adv, x - eps, x + eps) after each one.")
    low, high = float(adversarial.min()), float(adversarial.max())
    if low < -ATOL or high > 1.0 + ATOL:
        return (f"{check_id}: pixel values range from {low:.3g} to {high:.3g}, outside [0, 1]. Clip the "
                "adversarial image to the valid pixel range, e.g. tf.clip_by_value(x_adv, 0.0, 1.0).")
    return None


def _mutation_problem(check_id: str, x: np.ndarray, x_after: np.ndarray) -> str | None:
    if x_after.shape != x.shape or not np.array_equal(x_after, x):
        return (f"{check_id}: your function changed its input x in place. Leave x as it is and "
                "build the adversarial images as a new array or tensor.")
    return None


def common_problem(check_id: str, case: dict[str, Any], result: CaseResult) -> tuple[str | None, np.ndarray]:
    """Shape, mutation and budget problems of one case; returns (problem or None, x_adv)."""
    x = np.asarray(case["x"], dtype=np.float64)
    try:
        adversarial, x_after = _outputs(check_id, result, x.shape)
    except _ShapeError as exc:
        return str(exc), np.zeros(0)
    return (_mutation_problem(check_id, x, x_after)
            or _budget_problem(check_id, x, adversarial, float(case["eps"]))), adversarial


def cnn_predictions(case: dict[str, Any], images: np.ndarray) -> np.ndarray:
    from course_utils import metrics, models

    model = models.classifier_from_weights({k: case[k] for k in hidden_cnn_weights()})
    return metrics.predict_classes(model, images)
