"""Hidden checks of 01_convolution: convolution, its backward pass, pooling, receptive field.

Conventions the students are told (see the notebook): images are channels last,
``x: (N, H, W, C)``; kernels are ``w: (KH, KW, C, F)`` as in ``tf.nn.conv2d``;
biases ``b: (F,)`` (one per output channel, shared over positions); "convolution"
means what deep-learning libraries compute, the cross-correlation
``y[n, i, j, f] = b[f] + sum_{u, v, c} xp[n, s*i + u, s*j + v, c] * w[u, v, c, f]``
on the zero-padded input ``xp``. ``pad`` is ``"valid"`` (no padding),
``"same"`` (TensorFlow's SAME: ``H_out = ceil(H / s)``, the odd pixel of
padding goes to the bottom/right) or an int ``p`` (``p`` zeros on every side).
Pooling is VALID: ``H_out = 1 + (H - pool_size) // stride``.

Ground truth: ``tf.nn.conv2d`` and ``tf.GradientTape`` in float64 for the
convolution, NumPy loop references (written here, never shipped) for pooling
and the receptive-field recursion. All of this runs in the grader, never in the
student's sandbox; TensorFlow is imported lazily, inside the judges.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from autograder.judging import Cases, FunctionCheck, Verdict
from course_utils.checks import rel_error
from course_utils.judge import CaseResult

ASSIGNMENT = "01_convolution"

# Float64 forward/backward of the same linear map, computed in a different
# summation order, agree to ~1e-15 (measured: worst 1.2e-13 between the
# references below and TensorFlow over 35 random cases, elementwise CS231n
# rel_error). 1e-7 is CS231n's "correct" bar and the issue's; float32
# arithmetic (~1e-7 .. 1e-4 here) does not pass it.
MAX_REL_ERROR = 1e-7
# Pooling only copies (max) or averages values: the only admissible
# difference is the order in which overlapping windows add their gradients
# (measured: 1e-16 between the references and TensorFlow).
POOL_REL_TOLERANCE = 1e-12
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


# --------------------------------------------------------------------------- padding
def padding_amounts(size: int, kernel: int, stride: int, pad: str | int) -> tuple[int, int]:
    """Zeros added (before, after) along one spatial axis.

    "valid": (0, 0). "same": TensorFlow's rule, ``out = ceil(size / stride)``,
    ``total = max((out - 1) * stride + kernel - size, 0)``, before = total // 2
    and the extra pixel after. int p: (p, p).
    """
    if isinstance(pad, str):
        mode = pad.lower()
        if mode == "valid":
            return 0, 0
        if mode == "same":
            out = -(-size // stride)
            total = max((out - 1) * stride + kernel - size, 0)
            return total // 2, total - total // 2
        raise ValueError(f"pad must be 'valid', 'same' or an int, got {pad!r}")
    return int(pad), int(pad)


def output_size(size: int, kernel: int, stride: int, pad: str | int) -> int:
    """``1 + (size + before + after - kernel) // stride``."""
    before, after = padding_amounts(size, kernel, stride, pad)
    return 1 + (size + before + after - kernel) // stride


# --------------------------------------------------------------------------- references
class ConvCache(NamedTuple):
    """What the reference forward keeps for its backward pass."""

    x_shape: tuple[int, ...]
    patches: np.ndarray   # (N * H_out * W_out, KH * KW * C), rows (n, i, j), columns (u, v, c)
    w: np.ndarray         # (KH, KW, C, F)
    stride: int
    pads: tuple[tuple[int, int], tuple[int, int]]


def im2col_reference(padded: np.ndarray, kernel_h: int, kernel_w: int, stride: int) -> np.ndarray:
    """Every window of ``padded`` (N, H_p, W_p, C) as one row, columns in (u, v, c) order."""
    windows = sliding_window_view(padded, (kernel_h, kernel_w), axis=(1, 2))[:, ::stride, ::stride]
    n, h_out, w_out, channels = windows.shape[:4]
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * h_out * w_out, kernel_h * kernel_w * channels)


def conv_forward_reference(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int,
                           pad: str | int) -> tuple[np.ndarray, ConvCache]:
    """Cross-correlation, channels last. x: (N, H, W, C), w: (KH, KW, C, F), b: (F,).

    Returns out: (N, H_out, W_out, F) and a cache for :func:`conv_backward_reference`.
    """
    n, height, width, _ = x.shape
    kh, kw, _, filters = w.shape
    pads = (padding_amounts(height, kh, stride, pad), padding_amounts(width, kw, stride, pad))
    padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    h_out, w_out = 1 + (padded.shape[1] - kh) // stride, 1 + (padded.shape[2] - kw) // stride
    patches = im2col_reference(padded, kh, kw, stride)
    out = (patches @ w.reshape(-1, filters) + b).reshape(n, h_out, w_out, filters)
    return out, ConvCache(x.shape, patches, w, stride, pads)


def conv_backward_reference(dout: np.ndarray, cache: ConvCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (dx, dw, db) of the reference convolution (scatter-add form for dx)."""
    n, height, width, channels = cache.x_shape
    kh, kw, _, filters = cache.w.shape
    (top, bottom), (left, right) = cache.pads
    s = cache.stride
    h_out, w_out = dout.shape[1:3]
    dw = (cache.patches.T @ dout.reshape(-1, filters)).reshape(cache.w.shape)
    db = dout.sum(axis=(0, 1, 2))
    dpadded = np.zeros((n, height + top + bottom, width + left + right, channels))
    for u in range(kh):
        for v in range(kw):
            dpadded[:, u:u + s * h_out:s, v:v + s * w_out:s, :] += dout @ cache.w[u, v].T
    return dpadded[:, top:top + height, left:left + width, :], dw, db


def _pool_windows(height: int, width: int, pool_size: int, stride: int):
    for i in range(1 + (height - pool_size) // stride):
        for j in range(1 + (width - pool_size) // stride):
            yield i, j, slice(i * stride, i * stride + pool_size), slice(j * stride, j * stride + pool_size)


def max_pool_reference(x: np.ndarray, pool_size: int, stride: int,
                       dout: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """VALID max pooling, x: (N, H, W, C) -> out (N, H_out, W_out, C), and dx when dout is given.

    The gradient of each window goes to its arg-max (the first one on ties).
    """
    n, height, width, channels = x.shape
    h_out, w_out = 1 + (height - pool_size) // stride, 1 + (width - pool_size) // stride
    out = np.zeros((n, h_out, w_out, channels))
    dx = None if dout is None else np.zeros_like(x, dtype=float)
    for i, j, rows, cols in _pool_windows(height, width, pool_size, stride):
        window = x[:, rows, cols, :].reshape(n, -1, channels)
        out[:, i, j, :] = window.max(axis=1)
        if dx is not None:
            flat = window.argmax(axis=1)  # (N, C)
            for k in range(n):
                for c in range(channels):
                    u, v = divmod(int(flat[k, c]), pool_size)
                    dx[k, rows.start + u, cols.start + v, c] += dout[k, i, j, c]
    return out, dx


def avg_pool_reference(x: np.ndarray, pool_size: int, stride: int,
                       dout: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """VALID average pooling and, when dout is given, its gradient (dout / pool_size**2 per input)."""
    n, height, width, channels = x.shape
    h_out, w_out = 1 + (height - pool_size) // stride, 1 + (width - pool_size) // stride
    out = np.zeros((n, h_out, w_out, channels))
    dx = None if dout is None else np.zeros_like(x, dtype=float)
    for i, j, rows, cols in _pool_windows(height, width, pool_size, stride):
        out[:, i, j, :] = x[:, rows, cols, :].mean(axis=(1, 2))
        if dx is not None:
            dx[:, rows, cols, :] += dout[:, i, j, None, None, :] / pool_size**2
    return out, dx


def receptive_field_reference(layers: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """(size, jump) of one output unit of a stack of (kernel_size, stride) layers.

    size_l = size_{l-1} + (k_l - 1) * jump_{l-1}, jump_l = jump_{l-1} * s_l,
    starting from size_0 = jump_0 = 1 (one input pixel).
    """
    size, jump = 1, 1
    for kernel, stride in layers:
        size += (int(kernel) - 1) * jump
        jump *= int(stride)
    return size, jump


# --------------------------------------------------------------------------- TensorFlow truth
def _tf_padding(pad: str | int) -> Any:
    if isinstance(pad, str):
        return pad.upper()
    return [[0, 0], [int(pad), int(pad)], [int(pad), int(pad)], [0, 0]]


def tf_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: str | int,
            dout: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """``tf.nn.conv2d`` + bias in float64; with ``dout`` also (dx, dw, db) by GradientTape."""
    import tensorflow as tf

    xt, wt, bt = (tf.constant(np.asarray(a, dtype=np.float64)) for a in (x, w, b))
    with tf.GradientTape() as tape:
        tape.watch([xt, wt, bt])
        out = tf.nn.conv2d(xt, wt, strides=int(stride), padding=_tf_padding(pad)) + bt
    if dout is None:
        return (out.numpy(),)
    grads = tape.gradient(out, [xt, wt, bt], output_gradients=tf.constant(np.asarray(dout, dtype=np.float64)))
    return (out.numpy(), *(g.numpy() for g in grads))


# --------------------------------------------------------------------------- case makers
_PADS = ("valid", "same", 0, 1, 2)


def _conv_case(rng: np.random.Generator, *, max_size: int, pad: str | int | None = None,
               stride: int | None = None, kernel: tuple[int, int] | None = None) -> dict[str, Any]:
    """One random convolution case whose output is at least 1x1."""
    while True:
        n = int(rng.integers(1, 4))
        height, width = (int(v) for v in rng.integers(4, max_size + 1, size=2))
        channels, filters = (int(v) for v in rng.integers(1, 5, size=2))
        kh, kw = kernel or (int(v) for v in rng.integers(1, 6, size=2))
        s = stride or int(rng.integers(1, 4))
        p = pad if pad is not None else _PADS[int(rng.integers(len(_PADS)))]
        if output_size(height, kh, s, p) >= 1 and output_size(width, kw, s, p) >= 1:
            break
    return {
        "x": rng.normal(size=(n, height, width, channels)),
        "w": rng.normal(size=(kh, kw, channels, filters)),
        "b": rng.normal(size=filters),
        "stride": s,
        "pad": p,
    }


def _conv_cases(rng: np.random.Generator, max_size: int, n_random: int) -> Cases:
    """Corner cases a wrong padding rule fails, then random ones."""
    fixed = [
        _conv_case(rng, max_size=max_size, pad="same", stride=2, kernel=(3, 3)),  # asymmetric SAME
        _conv_case(rng, max_size=max_size, pad="same", stride=1, kernel=(4, 2)),  # even kernel
        _conv_case(rng, max_size=max_size, pad="valid", stride=3, kernel=(2, 3)),
        _conv_case(rng, max_size=max_size, pad=1, stride=2, kernel=(3, 3)),
        _conv_case(rng, max_size=max_size, pad=2, stride=1, kernel=(5, 5)),
    ]
    return fixed + [_conv_case(rng, max_size=max_size) for _ in range(n_random)]


def _with_upstream(rng: np.random.Generator, case: dict[str, Any]) -> dict[str, Any]:
    n, height, width, _ = case["x"].shape
    kh, kw, _, filters = case["w"].shape
    h_out, w_out = (output_size(size, k, case["stride"], case["pad"]) for size, k in ((height, kh), (width, kw)))
    return {**case, "dout": rng.normal(size=(n, h_out, w_out, filters))}


def _pool_cases(rng: np.random.Generator) -> Cases:
    """Non-overlapping, overlapping (3/2 as AlexNet) and ragged windows; no ties."""
    cases = []
    for pool_size, stride in ((2, 2), (3, 2), (2, 1), (3, 3), (2, 3)):
        n, channels = int(rng.integers(1, 4)), int(rng.integers(1, 5))
        height, width = (int(v) for v in rng.integers(pool_size + 1, 12, size=2))
        x = rng.permutation(n * height * width * channels).reshape(n, height, width, channels) / 7.0
        h_out, w_out = 1 + (height - pool_size) // stride, 1 + (width - pool_size) // stride
        cases.append({"x": x + rng.uniform(0, 0.1, size=x.shape), "pool_size": pool_size, "stride": stride,
                      "dout": rng.normal(size=(n, h_out, w_out, channels))})
    return cases


def _architecture(rng: np.random.Generator) -> np.ndarray:
    """A random stack of conv/pool layers as an (L, 2) int array of (kernel_size, stride)."""
    layers = []
    for _ in range(int(rng.integers(1, 9))):
        if rng.random() < 0.35:
            size = int(rng.integers(2, 4))
            layers.append((size, size if rng.random() < 0.7 else 2))
        else:
            layers.append((int(rng.choice([1, 3, 5, 7, 11])), int(rng.choice([1, 1, 1, 2, 4]))))
    return np.asarray(layers, dtype=np.int64)


def make_receptive_field_cases(rng: np.random.Generator) -> Cases:
    known = [
        [(3, 1)] * 2 + [(2, 2)] + [(3, 1)] * 2 + [(2, 2)],   # VGG's first two blocks
        [(11, 4), (3, 2), (5, 1), (3, 2), (3, 1), (3, 1), (3, 1), (3, 2)],  # AlexNet
        [(5, 1), (2, 2), (5, 1), (2, 2)],                    # LeNet-5
        [(1, 1)],
    ]
    architectures = [np.asarray(a, dtype=np.int64) for a in known]
    return [{"layers": a} for a in architectures + [_architecture(rng) for _ in range(12)]]


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
    """None when equal within ``tolerance`` (rel_error), else a plain-words message."""
    if got.shape != expected.shape:
        return f"{name} has shape {got.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(got)):
        return f"{name} contains NaN or inf"
    error = rel_error(got, expected)
    if not error <= tolerance:
        return f"{name} is wrong (relative error {error:.1e}, must be below {tolerance:.0e})"
    return None


def _judge_conv_forward(check: str):
    def judge(cases: Cases, results: list[CaseResult]) -> Verdict:
        for index, (case, result) in enumerate(zip(cases, results)):
            (expected,) = tf_conv(case["x"], case["w"], case["b"], case["stride"], case["pad"])
            problem = _compare("out", result.outputs[0], expected, MAX_REL_ERROR)
            if problem:
                return _fail(check, index, case, problem + " compared with tf.nn.conv2d")
        return Verdict(True, f"{check}: matches tf.nn.conv2d on {len(cases)} hidden cases.")
    return judge


def judge_conv_backward(cases: Cases, results: list[CaseResult]) -> Verdict:
    for index, (case, result) in enumerate(zip(cases, results)):
        if len(result.outputs) != 3:
            return _fail("conv_backward", index, case, f"expected (dx, dw, db), got {len(result.outputs)} values")
        _, *expected = tf_conv(case["x"], case["w"], case["b"], case["stride"], case["pad"], case["dout"])
        for name, got, want in zip(("dx", "dw", "db"), result.outputs, expected):
            problem = _compare(name, got, want, MAX_REL_ERROR)
            if problem:
                return _fail("conv_backward", index, case, problem + " compared with tf.GradientTape")
    return Verdict(True, f"conv_backward: dx, dw, db match tf.GradientTape on {len(cases)} hidden cases.")


def _judge_pool(check: str, reference):
    def judge(cases: Cases, results: list[CaseResult]) -> Verdict:
        for index, (case, result) in enumerate(zip(cases, results)):
            if len(result.outputs) != 2:
                return _fail(check, index, case, f"expected (out, dx), got {len(result.outputs)} values")
            out, dx = reference(case["x"], case["pool_size"], case["stride"], case["dout"])
            for name, got, want in (("out", result.outputs[0], out), ("dx", result.outputs[1], dx)):
                problem = _compare(name, got, want, POOL_REL_TOLERANCE)
                if problem:
                    return _fail(check, index, case, problem)
        return Verdict(True, f"{check}: forward and gradient exact on {len(cases)} hidden cases.")
    return judge


def _as_ints(values: np.ndarray) -> tuple:
    return tuple(int(v) if float(v).is_integer() else float(v) for v in values)


def judge_receptive_field(cases: Cases, results: list[CaseResult]) -> Verdict:
    for index, (case, result) in enumerate(zip(cases, results)):
        got = np.concatenate([np.ravel(o) for o in result.outputs])
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
    problem = _compare("conv_forward's output on the timing input", result.outputs[3], expected, MAX_REL_ERROR)
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
        make_cases=lambda rng: _conv_cases(rng, max_size=9, n_random=5),
        judge=_judge_conv_forward("conv_forward_naive"),
    ),
    FunctionCheck(
        id="conv_forward", points=3,
        description="vectorised convolution vs tf.nn.conv2d on hidden shapes, strides and paddings",
        make_cases=lambda rng: _conv_cases(rng, max_size=16, n_random=15),
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
        make_cases=lambda rng: [_with_upstream(rng, c) for c in _conv_cases(rng, max_size=12, n_random=10)],
        judge=judge_conv_backward,
    ),
    FunctionCheck(
        id="max_pool", points=3,
        description="max pooling forward and backward (gradient to the arg-max only), exact",
        make_cases=_pool_cases,
        judge=_judge_pool("max_pool", max_pool_reference),
    ),
    FunctionCheck(
        id="avg_pool", points=2,
        description="average pooling forward and backward, exact",
        make_cases=_pool_cases,
        judge=_judge_pool("avg_pool", avg_pool_reference),
    ),
    FunctionCheck(
        id="receptive_field", points=2,
        description="receptive-field size and jump of hidden conv/pool stacks",
        make_cases=make_receptive_field_cases,
        judge=judge_receptive_field,
    ),
]
