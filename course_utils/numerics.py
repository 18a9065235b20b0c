"""The numbers the self-checks compare: error measures and numeric gradients, in float64.

``rel_error`` and ``numeric_gradient`` follow CS231n's ``gradient_check.py``;
``scaled_error`` is the measure for references with exact zeros (an FFT, a
summed-area table). :mod:`course_utils.checks` asserts with them and
re-exports them, so notebooks import everything from one place.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

__all__ = ["rel_error", "scaled_error", "numeric_gradient", "require_tolerance"]


def require_tolerance(value: float | None, label: str) -> None:
    """Raise ``ValueError`` unless ``value`` (a tolerance the check was given) is None or a finite number >= 0."""
    if value is not None and (not np.isfinite(value) or value < 0):
        raise ValueError(f"{label} must be a non-negative number, got {value!r}.")


def rel_error(x: Any, y: Any) -> float:
    """Largest relative error between two arrays, as in CS231n.

    ``max |x - y| / max(1e-8, |x| + |y|)`` taken elementwise, then the maximum.
    Around 1e-7 or less means "equal up to floating-point noise" for float64
    code; 1e-2 or more means something is wrong.

    x, y: arrays of the same shape (any shape; scalars allowed).
    """
    x_arr = np.asarray(x, dtype=np.float64)
    y_arr = np.asarray(y, dtype=np.float64)
    if x_arr.shape != y_arr.shape:
        raise ValueError(f"rel_error needs arrays of the same shape, got {x_arr.shape} and {y_arr.shape}.")
    if x_arr.size == 0:
        return 0.0
    return float(np.max(np.abs(x_arr - y_arr) / np.maximum(1e-8, np.abs(x_arr) + np.abs(y_arr))))


def scaled_error(actual: Any, expected: Any, atol: float = 0.0) -> float:
    """``max |actual - expected| / (max |expected| + atol)``: the error as a share of the largest true value.

    One scale for the whole array, so entries whose truth is 0 get the same
    bound as the rest (``rel_error``'s 1e-8 floor makes a 1e-7 bar an absolute
    1e-15 there, which an FFT or a summed-area table misses by rounding alone).
    actual, expected: arrays of the same shape. 0.0 when equal; ``inf`` when
    ``expected`` is all zero, ``atol`` is 0 and ``actual`` is not.
    """
    require_tolerance(atol, "atol")
    actual_arr = np.asarray(actual, dtype=np.float64)
    expected_arr = np.asarray(expected, dtype=np.float64)
    if actual_arr.shape != expected_arr.shape:
        raise ValueError(f"scaled_error needs arrays of the same shape, got {actual_arr.shape} and "
                         f"{expected_arr.shape}.")
    if actual_arr.size == 0:
        return 0.0
    difference = float(np.max(np.abs(actual_arr - expected_arr)))
    if difference == 0.0:
        return 0.0
    scale = float(np.max(np.abs(expected_arr))) + atol
    return difference / scale if scale > 0 else float("inf")


def numeric_gradient(
    f: Callable[[np.ndarray], Any],
    x: np.ndarray,
    df: Any = None,
    h: float = 1e-5,
) -> np.ndarray:
    """Gradient of ``f`` at ``x`` by central differences, in float64.

    For each entry ``i`` of ``x``: ``(f(x + h e_i) - f(x - h e_i)) / (2h)``.

    - scalar ``f`` (a loss) and ``df=None``: returns ``d f / d x``;
    - array-valued ``f`` (a layer's forward pass) with the upstream gradient
      ``df`` (same shape as ``f(x)``): returns ``sum(df * d f / d x)``, the
      gradient of the scalar ``sum(f(x) * df)``, as CS231n's
      ``eval_numerical_gradient_array``.

    ``x`` is perturbed *in place* and ``f`` is called with it, so a lambda that
    closes over ``x`` (``lambda _: layer(x, w)``) sees the perturbation too.
    Each entry is restored right after it is used, even when ``f`` raises.
    A NumPy ``x`` must be float64: in float32, a step of 1e-5 is lost in
    rounding (a non-array ``x`` is copied to float64 first).

    x: array of any shape. Returns an array of the same shape as ``x``.
    """
    if not np.isfinite(h) or h <= 0:
        raise ValueError(f"numeric_gradient needs a small positive step h, got h={h!r}.")
    if isinstance(x, np.ndarray):
        if x.dtype != np.float64:
            raise ValueError(
                f"numeric_gradient perturbs x in place and needs float64, but x has dtype {x.dtype}; "
                "pass x.astype(np.float64) (float32 and integers lose a step of 1e-5 to rounding)."
            )
    else:
        x = np.array(x, dtype=np.float64)
    upstream = None if df is None else np.asarray(df, dtype=np.float64)

    def evaluate() -> float:
        value = np.asarray(f(x), dtype=np.float64)
        if upstream is None:
            if value.size != 1:
                raise ValueError(
                    f"f(x) returned an array of shape {value.shape}; for an array-valued f pass its "
                    "upstream gradient df (same shape) to numeric_gradient."
                )
            return float(value.reshape(()))
        if value.shape != upstream.shape:
            raise ValueError(f"df has shape {upstream.shape} but f(x) returned shape {value.shape}; they must match.")
        return float(np.sum(value * upstream))

    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            plus = evaluate()
            x[index] = original - h
            minus = evaluate()
        finally:
            x[index] = original
        if not (np.isfinite(plus) and np.isfinite(minus)):
            raise ValueError(
                f"f returned a non-finite value when x{list(index)} was moved by ±{h}; "
                "the numeric gradient is undefined there (look for log(0), 0/0 or overflow)."
            )
        grad[index] = (plus - minus) / (2 * h)
    return grad
