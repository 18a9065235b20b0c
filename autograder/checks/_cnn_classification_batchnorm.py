"""The batch-normalisation check of 02_cnn_classification (Exercise 2.4): reference, hidden cases, judge.

``batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.99, eps=1e-3, training=True)``
returns ``(out, new_running_mean, new_running_var)`` and follows ``keras.layers.BatchNormalization``
(channels last, statistics over every axis but the last, the variance divided by m, not m - 1;
``running = momentum * running + (1 - momentum) * batch``; Keras' defaults). Ground truth: the
NumPy reference below, which ``tests/test_02_cnn_classification_checks.py`` holds to Keras' layer.
The clauses these cases hold a function to are in ``_cnn_classification_contract.py``.

Tolerance: the scaled error (largest difference over the largest true value) of each of the three
outputs at most ``BATCHNORM_MAX_ERROR`` = 1e-5, room for an answer computed in float32 (float32
rounding of a normalised value is about 1e-7 of it) and far below the smallest slip of the corpus
(the unbiased variance on m = 18 values moves the output by about 3 %).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.verdicts.judging import Cases, Verdict
from course_utils.judge import CaseResult
from course_utils.numerics import scaled_error

BATCHNORM_MAX_ERROR = 1e-5
DEFAULT_MOMENTUM, DEFAULT_EPS = 0.99, 1e-3  # keras.layers.BatchNormalization's, the exercise's defaults


def batchnorm_reference(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, running_mean: np.ndarray,
                        running_var: np.ndarray, momentum: float = DEFAULT_MOMENTUM, eps: float = DEFAULT_EPS,
                        training: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x: (N, D) or (N, H, W, C); the other arrays (C,). Returns (out like x, new running mean, new running var)."""
    x = np.asarray(x, dtype=np.float64)
    axes = tuple(range(x.ndim - 1))
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        new_mean = momentum * running_mean + (1 - momentum) * mean
        new_var = momentum * running_var + (1 - momentum) * var
    else:
        mean, var = np.asarray(running_mean, np.float64), np.asarray(running_var, np.float64)
        new_mean, new_var = mean, var
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new_mean, new_var


# (shape of x, momentum, eps, training, how far the batch lies from the running statistics); None leaves
# the argument out (the default is judged). Each line names the clause it is there for.
BATCHNORM_FIXED: tuple[tuple[tuple[int, ...], float | None, float | None, bool | None, float], ...] = (
    ((6, 4, 5, 3), 0.9, 0.01, True, 0.0),     # the grade cell's batch: per channel over N, H, W; momentum 0.9
    ((1, 4, 5, 3), 0.9, 0.01, False, 5.0),    # the grade cell's single image at inference, far from the averages
    ((8, 5), 0.7, 0.5, True, 0.0),            # (N, D) input; a large eps on small variances; momentum 0.7
    ((3, 2, 7, 4), 0.8, 0.05, False, 3.0),    # inference on a batch far from the running averages, non-square
    ((5, 3, 3, 2), None, None, None, 0.0),    # every option left out: momentum 0.99, eps 1e-3, training
    ((2, 3, 3, 2), 0.6, 0.001, True, 0.0),    # m = 18 values per channel: m - 1 is 6 % away
    ((1, 6), 0.9, 0.1, False, 2.0),           # one example at inference, (N, D)
    ((4, 3, 3, 2), 0.95, None, True, 0.0),    # eps left out alone, momentum given
)


def make_batchnorm_cases(rng: np.random.Generator, n_random: int = 4) -> Cases:
    """BATCHNORM_FIXED, then random shapes, modes, momenta and eps. Channels are drawn at scales from
    0.03 to 3 (so eps matters on some), running statistics away from the batch's (so both modes differ)."""
    specs = list(BATCHNORM_FIXED)
    for _ in range(n_random):
        shape = ((int(rng.integers(1, 6)), int(rng.integers(2, 8))) if rng.random() < 0.3 else
                 tuple(int(v) for v in (rng.integers(1, 5), *rng.integers(1, 6, size=2), rng.integers(1, 5))))
        training = bool(rng.random() < 0.6)
        if training and int(np.prod(shape[:-1])) < 2:
            shape = (2, *shape[1:])
        specs.append((shape, float(rng.uniform(0.5, 0.99)), float(rng.uniform(1e-3, 0.3)), training,
                      float(rng.uniform(0.0, 4.0))))
    cases = []
    for shape, momentum, eps, training, shift in specs:
        channels = shape[-1]
        scales = np.geomspace(0.03, 3.0, channels) if channels > 1 else np.array([1.0])
        case: dict[str, Any] = {
            "x": rng.normal(size=shape) * rng.permutation(scales) + rng.normal(0.0, 2.0, size=channels) + shift,
            "gamma": rng.normal(1.0, 0.5, size=channels), "beta": rng.normal(size=channels),
            "running_mean": rng.normal(size=channels), "running_var": rng.uniform(0.2, 2.0, size=channels)}
        for name, value in (("momentum", momentum), ("eps", eps), ("training", training)):
            if value is not None:
                case[name] = value
        cases.append(case)
    return cases


def _describe(case: dict[str, Any]) -> str:
    """"x 6x4x5x3, momentum 0.9, eps 0.01, training True": enough to reproduce, no values."""
    parts = [f"x {'x'.join(map(str, np.shape(case['x'])))}"]
    parts += [f"{name} {case[name]!r}" if name in case else f"{name} left out" for name in ("momentum", "eps", "training")]
    return ", ".join(parts)


def _hint(case: dict[str, Any], outputs: tuple[np.ndarray, ...], part: int) -> str:
    """One likely cause of a wrong output ``part`` (0: out, 1: running mean, 2: running variance)."""
    training = case.get("training", True)
    if part > 0 and not training:
        return " With training=False the running averages come back unchanged."
    if part > 0 and np.allclose(outputs[part], case["running_mean" if part == 1 else "running_var"]):
        return " In training mode the running averages move towards the batch's statistics."
    if part > 0:
        return " running = momentum * running + (1 - momentum) * batch statistic (Keras' convention)."
    if not training:
        return " With training=False normalise with running_mean and running_var, not the batch's statistics."
    return (" Normalise each channel with the mean and the variance (divided by m) over every axis but the last, "
            "eps inside the square root, then gamma * x_hat + beta.")


def judge_batchnorm(cases: Cases, results: list[CaseResult]) -> Verdict:
    """The three returned arrays of each case against ``batchnorm_reference``, within BATCHNORM_MAX_ERROR."""
    names = ("out", "the running mean returned", "the running variance returned")
    for index, (case, result) in enumerate(zip(cases, results)):
        outputs = result.outputs
        where = f"batchnorm_forward: hidden case {index + 1} ({_describe(case)})"
        if outputs is None or len(outputs) != 3:
            return Verdict(False, f"{where}: return three arrays, (out, new_running_mean, new_running_var).")
        expected = batchnorm_reference(**case)
        for part, (name, got, truth) in enumerate(zip(names, outputs, expected)):
            if got.shape != truth.shape:
                return Verdict(False, f"{where}: {name} has shape {got.shape}, expected {truth.shape}.")
            if not np.all(np.isfinite(got)):
                return Verdict(False, f"{where}: {name} holds NaN or infinite values.")
            error = scaled_error(got, truth)
            if error > BATCHNORM_MAX_ERROR:
                return Verdict(False, f"{where}: {name} is off by {error:.1e} of its largest value "
                                      f"(at most {BATCHNORM_MAX_ERROR:.0e}).{_hint(case, outputs, part)}")
    return Verdict(True, f"batchnorm_forward: right in both modes on {len(cases)} hidden batches, running averages "
                         "included.")
