"""Hidden checks of 01_convolution: convolution, its backward pass, pooling, receptive field.

Conventions the students are told (see the notebook and
``autograder/checks/_convolution_reference.py``, which holds the references):
channels last, ``x: (N, H, W, C)``, ``w: (KH, KW, C, F)``, ``b: (F,)``, the
library's cross-correlation, ``pad`` "valid" / "same" (TensorFlow's) / int.
Hidden cases (``autograder/checks/_convolution_cases.py``) are fixed edge cases
and the grade cells' visible cases, plus random ones drawn from the secret.

Ground truth: ``tf.nn.conv2d`` and ``tf.GradientTape`` in float64 for the
convolution, NumPy loop references for pooling and the receptive field. All of
this runs in the grader, never in the student's sandbox.

Tolerances scale with the reference output: ``scaled_error`` is the largest
difference over the largest true value (plus an absolute term), one bound for
every entry, so exact zeros in the truth are held to the same bound as the rest.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from autograder.checks import _convolution_cases as cases_
from autograder.checks._convolution_reference import (  # noqa: F401 - the backward and padding: for tests
    avg_pool_reference, conv_backward_reference, conv_forward_reference, max_pool_reference, padding_amounts,
    receptive_field_reference, tf_conv,
)
from autograder.judging import Cases, FunctionCheck, Verdict
from course_utils.checks import scaled_error
from course_utils.judge import CaseResult

ASSIGNMENT = "01_convolution"

# Convolution and its gradients, as a share of the largest true value. Float64
# code in any summation order agrees with the float64 truth to ~1e-15 of it
# (measured on the hidden cases, default secret, tests/answers/01_convolution:
# im2col and einsum <= 5e-16, FFT forward and backward <= 8e-16). A float32 pass
# rounds each value by ~6e-8 of its size: measured >= 2e-8 on every hidden case
# (up to 8e-7; five secrets), so every case rejects it; the notebook asks for
# float64. 1e-9 sits over a decade below float32 and six above float64 rounding.
# (The old bar, an element-wise rel_error <= 1e-7 floored at 1e-8, let the FFT
# entry through at 9.6e-8 on the old cases and rejects it at 1.7e-7 on these.)
CONV_MAX_ERROR = 1e-9
# Pooling copies (max) or averages (avg) values: only the order of additions may
# differ. Measured: a summed-area table <= 1.7e-15 (its element-wise rel_error is
# 1.1e-8 where the truth is 0: the old 1e-12 bar rejected it), loops and
# np.add.at <= 2e-16; a float32 pass >= 1.1e-8 on every case; wrong routings O(1).
POOL_MAX_ERROR = 1e-10
# The absolute term of the scale: the hidden inputs are unit normals, so 1.0 is
# one input value; it only matters if a true output were all zero.
SCALE_ATOL = 1.0
# The bar: vectorised at least 50x faster than the naive loop on a
# 64x64x16 input. Measured on the 2-core course machine under load, best of
# 20 runs: naive (one np.sum per output value) 300-800 ms; im2col or
# sliding_window_view + one matrix product 0.7-0.9 ms (speed-up 400-1000x);
# einsum without BLAS 5-10 ms (60-130x); a Python loop over output positions
# with a tensordot inside 26-55 ms (10-30x, fails, as intended).
MIN_SPEEDUP = 50.0
# Against a naive loop slowed on purpose (time.sleep inflates the ratio):
# the vectorised convolution must also stay within this factor of one
# float64 matrix product with the same FLOPs, (H_out W_out, KH KW C) @
# (KH KW C, F), timed in the same process. Measured: im2col 1.3-1.7x,
# einsum 6-20x, loop over positions 35-105x, naive loop 600x and more.
MAX_SLOWDOWN_VS_MATMUL = 100.0
SPEED_SHAPE = (1, 64, 64, 16)  # the 64x64x16 input
SPEED_KERNEL = (3, 3, 16, 16)


def make_speed_cases(rng: np.random.Generator) -> Cases:
    """The 64x64x16 timing input, plus a matrix product with the same FLOPs as its convolution."""
    x = rng.normal(size=SPEED_SHAPE)
    w = rng.normal(size=SPEED_KERNEL)
    positions = (SPEED_SHAPE[1] - SPEED_KERNEL[0] + 1) * (SPEED_SHAPE[2] - SPEED_KERNEL[1] + 1)
    patch = int(np.prod(SPEED_KERNEL[:3]))
    return [{
        "x": x, "w": w, "b": rng.normal(size=SPEED_KERNEL[3]),
        "patches": rng.normal(size=(positions, patch)),
        "kernel_matrix": rng.normal(size=(patch, SPEED_KERNEL[3])),
    }]



# --------------------------------------------------------------------------- judges
def _describe(case: dict[str, Any]) -> str:
    """"x 2x7x7x3, w 3x3x3x4, stride 2, pad 'same'": enough to reproduce, no values."""
    parts = []
    for key in ("x", "w", "pool_size", "stride", "pad"):
        if key in case:
            value = case[key]
            parts.append(f"{key} {'x'.join(map(str, np.shape(value)))}" if np.ndim(value) else f"{key} {value!r}")
    return ", ".join(parts)


def _fail(check: str, index: int, case: dict[str, Any], message: str) -> Verdict:
    return Verdict(False, f"{check}: hidden case {index + 1} ({_describe(case)}): {message}.")


def _compare(name: str, got: np.ndarray, expected: np.ndarray, tolerance: float) -> str | None:
    """None when ``scaled_error(got, expected) <= tolerance``, else a plain-words message."""
    if got.shape != expected.shape:
        return f"{name} has shape {got.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(got)):
        return f"{name} contains NaN or inf"
    error = scaled_error(got, expected, atol=SCALE_ATOL)
    if not error <= tolerance:
        return (f"{name} is wrong (largest difference {error:.1e} of the largest true value, "
                f"must be below {tolerance:.0e})")
    return None


def _outputs(result: CaseResult, count: int) -> tuple[np.ndarray, ...] | None:
    return result.outputs if result.outputs is not None and len(result.outputs) == count else None


def _judge_conv_forward(check: str) -> Callable[[Cases, list[CaseResult]], Verdict]:
    def judge(cases: Cases, results: list[CaseResult]) -> Verdict:
        for index, (case, result) in enumerate(zip(cases, results)):
            outputs = _outputs(result, 1)
            if outputs is None:
                return _fail(check, index, case, "expected one array (the output)")
            (expected,) = tf_conv(case["x"], case["w"], case["b"], case["stride"], case["pad"])
            problem = _compare("out", outputs[0], expected, CONV_MAX_ERROR)
            if problem:
                return _fail(check, index, case, problem + " compared with tf.nn.conv2d")
        return Verdict(True, f"{check}: matches tf.nn.conv2d on {len(cases)} hidden cases.")
    return judge


def judge_conv_backward(cases: Cases, results: list[CaseResult]) -> Verdict:
    for index, (case, result) in enumerate(zip(cases, results)):
        outputs = _outputs(result, 3)
        if outputs is None:
            return _fail("conv_backward", index, case, "expected (dx, dw, db)")
        _, *expected = tf_conv(case["x"], case["w"], case["b"], case["stride"], case["pad"], case["dout"])
        for name, got, want in zip(("dx", "dw", "db"), outputs, expected):
            problem = _compare(name, got, want, CONV_MAX_ERROR)
            if problem:
                return _fail("conv_backward", index, case, problem + " compared with tf.GradientTape")
    return Verdict(True, f"conv_backward: dx, dw, db match tf.GradientTape on {len(cases)} hidden cases.")


def _judge_pool(check: str, reference: Callable[..., tuple[np.ndarray, np.ndarray]]
                ) -> Callable[[Cases, list[CaseResult]], Verdict]:
    def judge(cases: Cases, results: list[CaseResult]) -> Verdict:
        for index, (case, result) in enumerate(zip(cases, results)):
            outputs = _outputs(result, 2)
            if outputs is None:
                return _fail(check, index, case, "expected (out, dx)")
            out, dx = reference(case["x"], case["pool_size"], case["stride"], case["dout"])
            for name, got, want in (("out", outputs[0], out), ("dx", outputs[1], dx)):
                problem = _compare(name, got, want, POOL_MAX_ERROR)
                if problem:
                    return _fail(check, index, case, problem)
        return Verdict(True, f"{check}: forward and gradient right on {len(cases)} hidden cases.")
    return judge


def _as_ints(values: np.ndarray) -> tuple:
    return tuple(int(v) if float(v).is_integer() else float(v) for v in values)


def judge_receptive_field(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        got = np.concatenate([np.ravel(o) for o in result.outputs or ()] or [np.zeros(0)])
        expected = receptive_field_reference([tuple(layer) for layer in case["layers"]])
        if got.shape != (2,) or not np.array_equal(got, np.asarray(expected, dtype=float)):
            layers = " -> ".join(f"k{k}/s{s}" for k, s in case["layers"])
            return Verdict(False, f"receptive_field: for layers {layers} expected (size, jump) = {expected}, "
                                  f"got {_as_ints(got)}.")
    return Verdict(True, f"receptive_field: right on {len(cases)} hidden architectures.")


def judge_conv_speed(cases: Cases, results: list[CaseResult]) -> Verdict:
    """Outputs: (naive seconds, vectorised seconds, matmul seconds, vectorised output)."""
    (case,), (result,) = cases, results
    if len(result.outputs) != 4:
        return Verdict(False, f"conv_speed: expected 4 values (3 timings and the output), got {len(result.outputs)}.")
    naive, vectorised, matmul = (float(np.ravel(t)[0]) for t in result.outputs[:3])
    expected, _ = conv_forward_reference(case["x"], case["w"], case["b"], 1, "valid")
    problem = _compare("conv_forward's output on the timing input", result.outputs[3], expected, CONV_MAX_ERROR)
    if problem:
        return Verdict(False, f"conv_speed: {problem}.")
    if not (naive > 0 and vectorised > 0 and matmul > 0 and math.isfinite(naive + vectorised + matmul)):
        return Verdict(False, "conv_speed: the timings are not positive numbers.")
    speedup, slowdown = naive / vectorised, vectorised / matmul
    measured = (f"naive {naive * 1e3:.1f} ms, vectorised {vectorised * 1e3:.2f} ms "
                f"(speed-up {speedup:.0f}x), same-FLOP matrix product {matmul * 1e3:.2f} ms")
    if speedup < MIN_SPEEDUP:
        return Verdict(False, f"conv_speed: {measured}; the vectorised version must be at least "
                              f"{MIN_SPEEDUP:.0f}x faster than the naive loop.")
    if slowdown > MAX_SLOWDOWN_VS_MATMUL:
        return Verdict(False, f"conv_speed: {measured}; the vectorised version is {slowdown:.0f}x slower than "
                              f"one matrix product with the same work (at most {MAX_SLOWDOWN_VS_MATMUL:.0f}x).")
    return Verdict(True, f"conv_speed: {measured}.")


CHECKS = [
    FunctionCheck(
        id="conv_forward_naive", points=2,
        description="naive convolution (loops) vs tf.nn.conv2d on hidden shapes, strides and paddings",
        make_cases=lambda rng: cases_.conv_cases(rng, cases_.VISIBLE_FORWARD_NAIVE, max_size=9, n_random=5),
        judge=_judge_conv_forward("conv_forward_naive"),
    ),
    FunctionCheck(
        id="conv_forward", points=3,
        description="vectorised convolution vs tf.nn.conv2d on hidden shapes, strides and paddings",
        make_cases=lambda rng: cases_.conv_cases(rng, cases_.VISIBLE_FORWARD, max_size=16, n_random=15),
        judge=_judge_conv_forward("conv_forward"),
    ),
    FunctionCheck(
        id="conv_speed", points=2,
        description="vectorised convolution at least 50x faster than the naive loop on 64x64x16",
        make_cases=make_speed_cases,
        judge=judge_conv_speed,
    ),
    FunctionCheck(
        id="conv_backward", points=4,
        description="dx, dw, db vs tf.GradientTape on hidden shapes, strides and paddings",
        make_cases=lambda rng: [cases_.with_upstream(rng, c) for c in
                                cases_.conv_cases(rng, cases_.VISIBLE_BACKWARD, max_size=12, n_random=10)],
        judge=judge_conv_backward,
    ),
    FunctionCheck(
        id="max_pool", points=3,
        description="max pooling forward and backward (gradient to the first arg-max only), ties included",
        make_cases=lambda rng: cases_.pool_cases(rng, cases_.VISIBLE_MAX_POOL),
        judge=_judge_pool("max_pool", max_pool_reference),
    ),
    FunctionCheck(
        id="avg_pool", points=2,
        description="average pooling forward and backward",
        make_cases=lambda rng: cases_.pool_cases(rng, cases_.VISIBLE_AVG_POOL),
        judge=_judge_pool("avg_pool", avg_pool_reference),
    ),
    FunctionCheck(
        id="receptive_field", points=2,
        description="receptive-field size and jump of hidden conv/pool stacks",
        make_cases=cases_.receptive_field_cases,
        judge=judge_receptive_field,
    ),
]
