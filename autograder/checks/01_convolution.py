"""Hidden checks of 01_convolution: convolution, its backward pass, pooling, receptive field, composed kernels.

Conventions the students are told (see the notebook and
``autograder/checks/_convolution_reference.py``, which holds the references):
channels last, ``x: (N, H, W, C)``, ``w: (KH, KW, C, F)``, ``b: (F,)``, the
library's cross-correlation, ``pad`` "valid" / "same" (TensorFlow's) / int.
Hidden cases (``autograder/checks/_convolution_cases.py``) are fixed edge cases
and the grade cells' visible cases, plus random ones drawn from the secret.

Each exercise's clauses, and the case and corpus mistake that hold a function to each, are in
``_convolution_contract.py``. conv_forward_naive's grade cell hands back ``(raised, out)``
(``(1, 0)`` when it raised ValueError), since a pad it does not know must raise and a case that
raises is the student's zero before any judge sees it. Both convolution grade cells pass
``stride`` and ``pad`` as keywords, only when a case has them: one hidden case leaves them out, so
the defaults the signatures state (stride 1, "valid") are judged too (mutation testing found them
unjudged: a default stride of 2 passed).

Ground truth: ``tf.nn.conv2d`` and ``tf.GradientTape`` in float64 for the
convolution, NumPy loop references for pooling and the receptive field. All of
this runs in the grader, never in the student's sandbox.

Tolerances scale with the reference output: ``scaled_error`` is the largest
difference over the largest true value (plus an absolute term), one bound for
every entry, so exact zeros in the truth are held to the same bound as the rest.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from autograder.checks import _convolution_cases as cases_
from autograder.checks._convolution_contract import CLAUSES
from autograder.checks._convolution_reference import (  # noqa: F401 - the backward and padding: for tests
    avg_pool_reference, conv_backward_reference, conv_forward_reference, max_pool_reference, padding_amounts,
    receptive_field_reference, tf_conv,
)
from autograder.checks._by_hand import ByHand
from autograder.verdicts.judging import Cases, FunctionCheck, Verdict
from course_utils.checks import scaled_error
from course_utils.judge import CaseResult

ASSIGNMENT = "01_convolution"

# The header's rules: written for NumPy, library convolutions and poolings allowed and graded like any
# other answer, and shown to the TA (autograder/integrity/library_calls.py). padding_amounts and
# receptive_field are arithmetic: nothing to declare. The notebook's rules name every entry.
BY_HAND = ByHand(
    answers=("conv_forward_naive", "conv_forward", "true_convolution", "conv_backward", "max_pool", "avg_pool"),
    calls=("tf.nn.conv", "tf.nn.max_pool", "tf.nn.avg_pool", "keras.ops.conv", "keras.ops.max_pool",
           "keras.ops.average_pool", "keras.layers.Conv", "keras.layers.MaxPool", "keras.layers.AveragePool",
           "scipy.signal", "scipy.ndimage"),
)

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
# conv_speed: Exercise 1.3 asks for no Python loop over output positions. The
# grader does not time it (one submission measured 39x to 127x against a 50x bar
# on the loaded 2-core machine); it counts the Python line events conv_forward
# executes in the student's own code (CaseResult.line_events, counted by the
# grader's harness, outside the kernel) on inputs with the same N, C, F and
# kernel whose output grows from 8x8 to 32x32 positions (16x), and on the
# notebook's 64x64x16 input (62x62, 60x). Measured (tests/answers/01_convolution,
# growth = most lines / lines at 8x8): im2col, einsum, as_strided, FFT, keras.ops
# and a loop over the 9 kernel offsets run the same 12-47 lines at every size
# (growth 0.93-1.0); a loop over output rows grows 2.9x / 5.4x; np.vectorize and
# np.apply_along_axis over a function of the student's 13x / 47x; the naive loop
# 16x / 59x. The count is the same on every run, whatever the machine's load. Not
# seen: a per-position loop that runs only library code (np.apply_along_axis(np.dot)).
# The count is judged per series (stride, pad): "no loop over output positions" holds at every
# stride and padding, so a second series at stride 2 with SAME padding grows the output from 8x8 to
# 32x32 positions too (a loop only in the strided or padded branch is caught there). Its values are
# conv_forward's to judge (only the shape is checked here): a SAME slip is not charged twice.
MAX_LINE_GROWTH = 2.0
SPEED_SERIES: tuple[tuple[int, str | int, tuple[int, ...]], ...] = (
    (1, "valid", (10, 34, 64)),        # H = W of x: 8x8, 32x32 and 62x62 output positions
    (2, "same", (16, 64)),             # ceil(H / 2): 8x8 and 32x32 output positions
)
SPEED_CHANNELS = 16                    # C = F = 16, as the notebook's 64x64x16 input
SPEED_KERNEL = (3, 3, SPEED_CHANNELS, SPEED_CHANNELS)


def make_speed_cases(rng: np.random.Generator) -> Cases:
    """One image per size of each series in SPEED_SERIES: x (1, H, H, 16), w (3, 3, 16, 16), b (16,)."""
    w, b = rng.normal(size=SPEED_KERNEL), rng.normal(size=SPEED_CHANNELS)
    return [{"x": rng.normal(size=(1, size, size, SPEED_CHANNELS)), "w": w, "b": b, "stride": stride, "pad": pad}
            for stride, pad, sizes in SPEED_SERIES for size in sizes]


# compose_kernels (Exercise 1.8): the one kernel K of two VALID convolutions in a row, the first with a
# stride s, K = sum over k2's taps (p, q) of k1 (times k2[p, q] over the F1 channels) placed at (s p, s q).
# Ground truth: compose_kernels_reference, a loop over k2's taps (tests/test_01_convolution_checks.py checks
# that tf.nn.conv2d with K equals tf.nn.conv2d twice). K is unique: a convolution's kernel is its response to
# a one-hot input, so the kernel is judged, not its effect on an input. Fixed cases: each clause of
# _convolution_contract.CLAUSES["compose_kernels"] (non-square kernels, F1 > 1, strides 2 and 3, k1 smaller
# than the stride, a 1x1 k2, the default stride), then random ones. Bar: CONV_MAX_ERROR (sums of products
# of unit normals, float64 in any order: measured <= 2e-15 of the largest value on the corpus' right answers).
COMPOSE_FIXED: tuple[tuple[tuple[int, ...], tuple[int, ...], int | None], ...] = (
    ((3, 2, 2, 3), (2, 3, 3, 2), None),   # the grade cell's kernels, default stride
    ((3, 2, 2, 3), (2, 3, 3, 2), 2),      # ... and its stride 2
    ((3, 3, 2, 4), (3, 3, 4, 3), 1),      # square, F1 = 4, stride given as 1
    ((2, 3, 3, 2), (3, 2, 2, 4), 1),      # non-square both ways
    ((3, 3, 1, 2), (2, 2, 2, 1), 2),      # C = 1, F2 = 1
    ((1, 1, 2, 3), (3, 3, 3, 2), 2),      # k1 smaller than the stride: zeros between its copies
    ((3, 2, 2, 3), (2, 3, 3, 2), 3),      # stride 3, non-square
    ((5, 5, 1, 1), (3, 3, 1, 1), None),   # one channel, the lecture's 1-channel case
    ((3, 3, 2, 2), (1, 1, 2, 3), 2),      # a 1x1 k2: only the channels mix
)


def compose_kernels_reference(k1: np.ndarray, k2: np.ndarray, stride: int = 1) -> np.ndarray:
    """k1: (K1H, K1W, C, F1), k2: (K2H, K2W, F1, F2). Returns K: (K1H + s (K2H - 1), K1W + s (K2W - 1), C, F2)."""
    (kh1, kw1, channels, _), (kh2, kw2, _, filters) = k1.shape, k2.shape
    out = np.zeros((kh1 + stride * (kh2 - 1), kw1 + stride * (kw2 - 1), channels, filters))
    for p in range(kh2):
        for q in range(kw2):
            out[stride * p:stride * p + kh1, stride * q:stride * q + kw1] += np.einsum("uvcf,fg->uvcg", k1, k2[p, q])
    return out


def make_compose_cases(rng: np.random.Generator, n_random: int = 6) -> Cases:
    """COMPOSE_FIXED (stride left out where None: the default), then random shapes up to 4x4 and strides 1-3."""
    shapes = list(COMPOSE_FIXED)
    for _ in range(n_random):
        channels, middle, filters = rng.integers(1, 4, size=3)
        shapes.append(((*rng.integers(1, 5, size=2), channels, middle), (*rng.integers(1, 5, size=2), middle, filters),
                       int(rng.integers(1, 4))))
    cases = []
    for shape1, shape2, stride in shapes:
        case = {"k1": rng.normal(size=shape1), "k2": rng.normal(size=shape2)}
        cases.append(case if stride is None else {**case, "stride": stride})
    return cases


# --------------------------------------------------------------------------- judges
def _describe(case: dict[str, Any]) -> str:
    """"x 2x7x7x3, w 3x3x3x4, stride 2, pad 'same'": enough to reproduce, no values."""
    parts = []
    for key in ("x", "w", "k1", "k2", "pool_size", "stride", "pad"):
        if key in case:
            value = case[key]
            parts.append(f"{key} {'x'.join(map(str, np.shape(value)))}" if np.ndim(value) else f"{key} {value!r}")
    if "w" in case and "pad" not in case:
        parts.append("stride and pad left out: the defaults")
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


def _raised(result: CaseResult) -> tuple[bool, CaseResult]:
    """conv_forward_naive's grade cell hands back ``(1, 0)`` when the function raised ValueError, else
    ``(0, out)``: (whether it raised, the result holding ``out`` alone). Other grade cells: (False, result)."""
    outputs = result.outputs or ()
    if len(outputs) == 2 and outputs[0].shape == ():
        if float(outputs[0]) == 1.0:
            return True, result
        return False, CaseResult(outputs[1:], None, result.seconds, result.dtypes and result.dtypes[1:])
    return False, result


def _judge_conv_forward(check: str) -> Callable[[Cases, list[CaseResult]], Verdict]:
    def judge(cases: Cases, results: list[CaseResult]) -> Verdict:
        for index, (case, result) in enumerate(zip(cases, results)):
            raised, result = _raised(result)
            options = cases_.with_conv_defaults(case)  # a case without stride and pad is judged by the defaults
            if cases_.is_bad_pad(options["pad"]):
                if not raised:
                    return _fail(check, index, case, "it returned instead of raising ValueError: pad is "
                                 "'valid', 'same' or an int p >= 0, and padding_amounts raises ValueError "
                                 "for anything else")
                continue
            if raised:
                return _fail(check, index, case, "it raised ValueError on a pad it must handle")
            outputs = _outputs(result, 1)
            if outputs is None:
                return _fail(check, index, case, "expected one array (the output)")
            (expected,) = tf_conv(case["x"], case["w"], case["b"], options["stride"], options["pad"])
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
            options = {**cases_.POOL_DEFAULTS, **case}
            out, dx = reference(case["x"], options["pool_size"], options["stride"], case["dout"])
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
    """Right outputs, and line events that do not grow with the number of output positions."""
    for index, (case, result) in enumerate(zip(cases, results)):
        outputs = _outputs(result, 1)
        if outputs is None:
            return _fail("conv_speed", index, case, "expected one array (the output)")
        expected, _ = conv_forward_reference(case["x"], case["w"], case["b"], case["stride"], case["pad"])
        if (case["stride"], case["pad"]) == SPEED_SERIES[0][:2]:
            problem = _compare("out", outputs[0], expected, CONV_MAX_ERROR)
        else:  # the values at other strides and paddings are conv_forward's check: one slip, one charge
            problem = None if outputs[0].shape == expected.shape else (
                f"out has shape {outputs[0].shape}, expected {expected.shape}")
        if problem:
            return _fail("conv_speed", index, case, problem)
    lines = [result.line_events for result in results]
    if any(count is None for count in lines):
        return Verdict(False, "conv_speed: the grader could not count the lines of Python conv_forward runs.")
    reports = []
    for stride, pad, _ in SPEED_SERIES:
        series = [(count, int(np.prod(output.shape[1:3]))) for case, count, output in
                  zip(cases, lines, (r.outputs[0] for r in results)) if (case["stride"], case["pad"]) == (stride, pad)]
        measured = ", ".join(f"{count:,} lines for {p:,} output positions" for count, p in series)
        where = f"at stride {stride}, pad {pad!r}"
        growth = max(count for count, _ in series[1:]) / max(series[0][0], 1)
        if not growth < MAX_LINE_GROWTH:
            return Verdict(False, f"conv_speed: {where} conv_forward ran {measured}: the Python it executes "
                                  "grows with the output (it loops over output positions or rows). Gather "
                                  "every window once (im2col) and do one matrix product, at every stride "
                                  "and padding.")
        reports.append(f"{where}: {measured}")
    return Verdict(True, f"conv_speed: conv_forward ran {'; '.join(reports)}: no Python loop over output "
                         "positions.")


def judge_compose_kernels(cases: Cases, results: list[CaseResult]) -> Verdict:
    for index, (case, result) in enumerate(zip(cases, results)):
        outputs = _outputs(result, 1)
        if outputs is None:
            return _fail("compose_kernels", index, case, "expected one array (the composed kernel)")
        stride = case.get("stride", 1)
        expected = compose_kernels_reference(case["k1"], case["k2"], stride)
        problem = _compare("K", outputs[0], expected, CONV_MAX_ERROR)
        if problem and outputs[0].shape != expected.shape:
            problem += (" (K1 + stride * (K2 - 1) along each axis, the pair's receptive field; "
                        "k1's input channels, k2's filters)")
        if problem:
            return _fail("compose_kernels", index, case, problem + " compared with the two convolutions in a row")
    return Verdict(True, f"compose_kernels: the composed kernel is right on {len(cases)} hidden pairs of kernels.")

CHECKS = [
    FunctionCheck(
        id="conv_forward_naive", points=2,
        description="naive convolution (loops) vs tf.nn.conv2d on hidden shapes, strides and paddings",
        make_cases=lambda rng: (cases_.conv_cases(rng, cases_.VISIBLE_FORWARD_NAIVE, max_size=9, n_random=5)
                                + cases_.bad_pad_cases(rng) + [cases_.defaults_case(rng)]),
        judge=_judge_conv_forward("conv_forward_naive"),
        clauses=CLAUSES["conv_forward_naive"],
    ),
    FunctionCheck(
        id="conv_forward", points=3,
        description="vectorised convolution vs tf.nn.conv2d on hidden shapes, strides and paddings",
        make_cases=lambda rng: (cases_.conv_cases(rng, cases_.VISIBLE_FORWARD, max_size=16, n_random=15)
                                + [cases_.defaults_case(rng)]),
        judge=_judge_conv_forward("conv_forward"),
        clauses=CLAUSES["conv_forward"],
    ),
    FunctionCheck(
        id="conv_speed", points=2,
        description="vectorised convolution: right, and no Python loop over output positions",
        make_cases=make_speed_cases,
        judge=judge_conv_speed,
        clauses=CLAUSES["conv_speed"],
        counts_lines=True,
    ),
    FunctionCheck(
        id="conv_backward", points=4,
        description="dx, dw, db vs tf.GradientTape on hidden shapes, strides and paddings",
        make_cases=lambda rng: [cases_.with_upstream(rng, c) for c in
                                cases_.conv_cases(rng, cases_.VISIBLE_BACKWARD, max_size=12, n_random=10)],
        judge=judge_conv_backward,
        clauses=CLAUSES["conv_backward"],
    ),
    FunctionCheck(
        id="max_pool", points=3,
        description="max pooling forward and backward (gradient to the first arg-max only), ties included",
        make_cases=lambda rng: cases_.pool_cases(rng, cases_.VISIBLE_MAX_POOL),
        judge=_judge_pool("max_pool", max_pool_reference),
        clauses=CLAUSES["max_pool"],
    ),
    FunctionCheck(
        id="avg_pool", points=2,
        description="average pooling forward and backward",
        make_cases=lambda rng: cases_.pool_cases(rng, cases_.VISIBLE_AVG_POOL),
        judge=_judge_pool("avg_pool", avg_pool_reference),
        clauses=CLAUSES["avg_pool"],
    ),
    FunctionCheck(
        id="receptive_field", points=2,
        description="receptive-field size and jump of hidden conv/pool stacks",
        make_cases=cases_.receptive_field_cases,
        judge=judge_receptive_field,
        clauses=CLAUSES["receptive_field"],
    ),
    FunctionCheck(
        id="compose_kernels", points=2,
        description="the one kernel of two convolutions in a row (strides, channels, non-square kernels)",
        make_cases=make_compose_cases,
        judge=judge_compose_kernels,
        clauses=CLAUSES["compose_kernels"],
    ),
]
