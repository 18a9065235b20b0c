"""Do the hidden checks of 01_convolution accept the reference, and reject the blank
notebook and each plausible mistake (no kernel flip, off-by-one padding, gradient
to every pooled input, ...)? Does the real notebook pass `course validate`?

Candidates go through the instructor's path (``run_function_check_inline``:
hidden cases, the judge encoding, the verdict), wrapped exactly as the
notebook's hidden grade cells wrap the student's functions.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from autograder.verdicts import judging
from autograder.checks import _convolution_cases as cases_
from autograder.checks._convolution_reference import same_padding_total
from autograder.verdicts.judging import load_checks, run_function_check_inline
from course_utils.checks import numeric_gradient, rel_error, scaled_error
from course_utils.judge import CaseResult

ASSIGNMENT = "01_convolution"
checks = importlib.import_module(f"autograder.checks.{ASSIGNMENT}")


def as_graded(check_id, fn):
    """``fn`` handed over as its grade cell hands it over: conv_forward_naive's gives back ``(1, 0)`` when
    the function raised ValueError (a pad it does not know must), else ``(0, out)``; the pooling cells
    pass pool_size and stride only when a case has them, the forward convolutions' stride and pad
    (here filled with the defaults: these candidates take every argument)."""
    if check_id in ("max_pool", "avg_pool"):  # pool_size and stride only when the case has them
        return lambda x, dout, **options: fn(x=x, dout=dout, **{**cases_.POOL_DEFAULTS, **options})
    if check_id not in ("conv_forward_naive", "conv_forward"):
        return fn
    if check_id == "conv_forward":
        return lambda **case: fn(**cases_.with_conv_defaults(case))

    def graded(**case):
        try:
            return 0, fn(**cases_.with_conv_defaults(case))
        except ValueError:
            return 1, 0
    return graded


def verdict(check_id, fn):
    return run_function_check_inline(ASSIGNMENT, check_id, as_graded(check_id, fn))


# --------------------------------------------------------------------------- candidates
def conv_with_pads(x, w, b, stride, pads):
    """Reference convolution on an input padded with explicit ((top, bottom), (left, right))."""
    padded = np.pad(x, ((0, 0), *pads, (0, 0)))
    return checks.conv_forward_reference(padded, w, b, stride, "valid")[0]


def reference_forward(x, w, b, stride, pad):
    return checks.conv_forward_reference(x, w, b, stride, pad)[0]


def symmetric_same(x, w, b, stride, pad):
    """SAME as (K - 1) // 2 zeros on both sides: right for odd kernels and stride 1 only."""
    if pad == "same":
        pads = tuple(((k - 1) // 2, (k - 1) // 2) for k in w.shape[:2])
        return conv_with_pads(x, w, b, stride, pads)
    return reference_forward(x, w, b, stride, pad)


def same_extra_on_top(x, w, b, stride, pad):
    """SAME with the odd zero before (top/left) instead of after, as some frameworks do."""
    if pad == "same":
        pads = tuple(tuple(reversed(checks.padding_amounts(n, k, stride, "same")))
                     for n, k in zip(x.shape[1:3], w.shape[:2]))
        return conv_with_pads(x, w, b, stride, pads)
    return reference_forward(x, w, b, stride, pad)


def int_pad_off_by_one(x, w, b, stride, pad):
    """An int pad p applied as p + 1 zeros (a loop bound written with <=)."""
    return reference_forward(x, w, b, stride, pad + 1 if isinstance(pad, int) else pad)


def flipped_kernel(x, w, b, stride, pad):
    """The lecture's true convolution instead of the library's cross-correlation."""
    return reference_forward(x, w[::-1, ::-1], b, stride, pad)


def in_float32(x, w, b, stride, pad):
    return reference_forward(x.astype(np.float32), w.astype(np.float32), b.astype(np.float32), stride, pad)


def no_bias(x, w, b, stride, pad):
    return reference_forward(x, w, np.zeros_like(b), stride, pad)


FORWARD_MISTAKES = {
    "symmetric-same-padding": symmetric_same,
    "same-extra-zero-on-top": same_extra_on_top,
    "int-padding-off-by-one": int_pad_off_by_one,
    "kernel-flipped": flipped_kernel,
    "float32": in_float32,
    "bias-forgotten": no_bias,
}


def backward_by_full_convolution(dout, cache, *, flip=True, crop_shift=0):
    """The lecture's form: dx = full correlation of the dilated dout with flip(w); dw, db from the reference.

    flip=False and crop_shift=1 are the two mistakes under test.
    """
    _, dw, db = checks.conv_backward_reference(dout, cache)
    (top, _), (left, _) = cache.pads
    n, height, width, channels = cache.x_shape
    kh, kw, _, filters = cache.w.shape
    s, (h_out, w_out) = cache.stride, dout.shape[1:3]
    dilated = np.zeros((n, (h_out - 1) * s + 1, (w_out - 1) * s + 1, filters))
    dilated[:, ::s, ::s] = dout
    full = np.pad(dilated, ((0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1), (0, 0)))
    kernel = (cache.w[::-1, ::-1] if flip else cache.w).transpose(0, 1, 3, 2)
    dpadded = checks.conv_forward_reference(full, kernel, np.zeros(channels), 1, "valid")[0]
    dpadded = np.pad(dpadded, ((0, 0), (0, height + 2 * kh), (0, width + 2 * kw), (0, 0)))
    top, left = top + crop_shift, left + crop_shift
    return dpadded[:, top:top + height, left:left + width], dw, db


def backward_submission(backward):
    return lambda x, w, b, stride, pad, dout: backward(dout, checks.conv_forward_reference(x, w, b, stride, pad)[1])


def db_averaged(dout, cache):
    dx, dw, _ = checks.conv_backward_reference(dout, cache)
    return dx, dw, dout.mean(axis=(0, 1, 2))


def dw_of_first_image_only(dout, cache):
    """dw from the first image's windows only: forgot to sum over the batch."""
    dx, _, db = checks.conv_backward_reference(dout, cache)
    per_image = dout.shape[1] * dout.shape[2]
    dw = (cache.patches[:per_image].T @ dout[:1].reshape(per_image, -1)).reshape(cache.w.shape)
    return dx, dw, db


BACKWARD_MISTAKES = {
    "no-kernel-flip-in-dx": lambda dout, cache: backward_by_full_convolution(dout, cache, flip=False),
    "padding-cropped-off-by-one": lambda dout, cache: backward_by_full_convolution(dout, cache, crop_shift=1),
    "db-averaged": db_averaged,
    "dw-of-first-image-only": dw_of_first_image_only,
}


def pool_submission(pool):
    return lambda x, pool_size, stride, dout: pool(x, pool_size, stride, dout)


def max_pool_to_every_input(x, pool_size, stride, dout):
    """The average pool's routing with max's forward: every input of a window gets the gradient."""
    out, _ = checks.max_pool_reference(x, pool_size, stride)
    _, dx = checks.avg_pool_reference(x, pool_size, stride, dout)
    return out, dx * pool_size**2


def max_pool_fancy_index_assign(x, pool_size, stride, dout):
    """``dx[idx] += dout`` with fancy indices: overlapping windows' gradients overwrite instead of adding."""
    out, _ = checks.max_pool_reference(x, pool_size, stride)
    n, h_out, w_out, channels = out.shape
    windows = sliding_window_view(x, (pool_size, pool_size), axis=(1, 2))[:, ::stride, ::stride]
    u, v = np.divmod(windows.reshape(n, h_out, w_out, channels, -1).argmax(-1), pool_size)
    rows = np.arange(h_out)[None, :, None, None] * stride + u
    cols = np.arange(w_out)[None, None, :, None] * stride + v
    dx = np.zeros_like(x)
    dx[np.arange(n)[:, None, None, None], rows, cols, np.arange(channels)] += dout
    return out, dx


def max_pool_to_the_minimum(x, pool_size, stride, dout):
    out, _ = checks.max_pool_reference(x, pool_size, stride)
    return out, checks.max_pool_reference(-x, pool_size, stride, dout)[1]


def avg_pool_not_divided(x, pool_size, stride, dout):
    out, dx = checks.avg_pool_reference(x, pool_size, stride, dout)
    return out, dx * pool_size**2


def avg_pool_overwrites_overlaps(x, pool_size, stride, dout):
    out, _ = checks.avg_pool_reference(x, pool_size, stride)
    dx = np.zeros_like(x)
    for i in range(out.shape[1]):
        for j in range(out.shape[2]):
            dx[:, i * stride:i * stride + pool_size, j * stride:j * stride + pool_size] = dout[:, i:i + 1, j:j + 1] / pool_size**2
    return out, dx


def receptive_field_submission(fn):
    return lambda layers: fn([tuple(int(v) for v in layer) for layer in layers])


def rf_jump_updated_first(layers):
    size, jump = 1, 1
    for kernel, stride in layers:
        jump *= stride
        size += (kernel - 1) * jump
    return size, jump


def rf_ignores_strides(layers):
    return 1 + sum(kernel - 1 for kernel, _ in layers), 1


def rf_sum_of_kernels(layers):
    size, jump = checks.receptive_field_reference(layers)
    return sum(kernel for kernel, _ in layers), jump


def naive_loops(x, w, b, stride, pad):
    """A student's naive convolution: one np.sum per output value."""
    (top, bottom), (left, right) = (checks.padding_amounts(n, k, stride, pad) for n, k in zip(x.shape[1:3], w.shape[:2]))
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    kh, kw, _, filters = w.shape
    h_out, w_out = 1 + (padded.shape[1] - kh) // stride, 1 + (padded.shape[2] - kw) // stride
    out = np.zeros((x.shape[0], h_out, w_out, filters))
    for n in range(x.shape[0]):
        for i in range(h_out):
            for j in range(w_out):
                window = padded[n, i * stride:i * stride + kh, j * stride:j * stride + kw]
                for f in range(filters):
                    out[n, i, j, f] = np.sum(window * w[..., f]) + b[f]
    return out


def loop_over_rows(x, w, b, stride, pad):
    """Vectorised along each output row, a Python loop over the rows (right values)."""
    out = reference_forward(x, w, b, stride, pad)
    return np.stack([row for row in out.transpose(1, 0, 2, 3)], axis=1)


REFERENCES = {
    "conv_forward_naive": reference_forward,
    "conv_forward": reference_forward,
    "conv_backward": backward_submission(checks.conv_backward_reference),
    "max_pool": pool_submission(checks.max_pool_reference),
    "avg_pool": pool_submission(checks.avg_pool_reference),
    "receptive_field": receptive_field_submission(checks.receptive_field_reference),
    "compose_kernels": checks.compose_kernels_reference,
}


# --------------------------------------------------------------------------- ground truth
def test_every_check_has_a_reference_here():
    """Is every hidden check of the assignment exercised by this file?"""
    assert {c.id for c in load_checks(ASSIGNMENT)} == set(REFERENCES) | {"conv_speed"}


def test_numpy_references_match_tensorflow_and_numeric_gradients():
    """Do the grader's NumPy references agree with tf.nn.conv2d / GradientTape and central differences?"""
    rng = np.random.default_rng(0)
    for case in cases_.conv_cases(rng, [], max_size=8, n_random=6):
        x, w, b, stride, pad = (case[k] for k in ("x", "w", "b", "stride", "pad"))
        out, cache = checks.conv_forward_reference(x, w, b, stride, pad)
        dout = rng.normal(size=out.shape)
        dx, dw, db = checks.conv_backward_reference(dout, cache)
        tf_out, tf_dx, tf_dw, tf_db = checks.tf_conv(x, w, b, stride, pad, dout)
        for mine, truth in ((out, tf_out), (dx, tf_dx), (dw, tf_dw), (db, tf_db)):
            assert rel_error(mine, truth) < 1e-12
        numeric_dx = numeric_gradient(lambda _: checks.conv_forward_reference(x, w, b, stride, pad)[0], x, dout)
        assert rel_error(dx, numeric_dx) < 1e-6


def test_lecture_form_of_dx_is_the_reference():
    """Is the lecture's dx = dy * flip(w) (full, dilated for strides) what the reference computes?"""
    rng = np.random.default_rng(1)
    for case in cases_.conv_cases(rng, [], max_size=10, n_random=5):
        out, cache = checks.conv_forward_reference(case["x"], case["w"], case["b"], case["stride"], case["pad"])
        dout = rng.normal(size=out.shape)
        assert rel_error(backward_by_full_convolution(dout, cache)[0], checks.conv_backward_reference(dout, cache)[0]) < 1e-12


def test_pool_references_match_tensorflow():
    import tensorflow as tf

    for case in cases_.pool_cases(np.random.default_rng(2), []):
        case = {**cases_.POOL_DEFAULTS, **case}
        for reference, op in ((checks.max_pool_reference, tf.nn.max_pool2d), (checks.avg_pool_reference, tf.nn.avg_pool2d)):
            x = tf.constant(case["x"])
            with tf.GradientTape() as tape:
                tape.watch(x)
                out = op(x, case["pool_size"], case["stride"], "VALID")
            dx = tape.gradient(out, x, output_gradients=tf.constant(case["dout"]))
            mine_out, mine_dx = reference(case["x"], case["pool_size"], case["stride"], case["dout"])
            assert rel_error(mine_out, out.numpy()) < 1e-14 and rel_error(mine_dx, dx.numpy()) < 1e-14


def test_receptive_field_reference_on_known_networks():
    """Does the recursion give the published receptive fields (VGG-16 pool5: 212, AlexNet conv1: 11)?"""
    vgg16 = ([(3, 1)] * 2 + [(2, 2)]) * 2 + ([(3, 1)] * 3 + [(2, 2)]) * 3
    assert checks.receptive_field_reference(vgg16) == (212, 32)
    assert checks.receptive_field_reference([(11, 4)]) == (11, 4)


def test_composed_kernel_reference_is_two_convolutions_in_a_row():
    """Does tf.nn.conv2d with compose_kernels_reference(k1, k2, s) at stride s equal tf.nn.conv2d by k1 (stride s)
    then by k2, on every hidden pair of kernels (default secret)?"""
    rng = np.random.default_rng(3)
    for case in _hidden_cases("compose_kernels", ""):
        k1, k2, stride = case["k1"], case["k2"], case.get("stride", 1)
        x = rng.normal(size=(2, 19, 17, k1.shape[2]))
        (first,) = checks.tf_conv(x, k1, np.zeros(k1.shape[3]), stride, "valid")
        (two,) = checks.tf_conv(first, k2, np.zeros(k2.shape[3]), 1, "valid")
        (one,) = checks.tf_conv(x, checks.compose_kernels_reference(k1, k2, stride), np.zeros(k2.shape[3]), stride,
                                "valid")
        assert one.shape == two.shape and scaled_error(one, two) < 1e-12


# --------------------------------------------------------------------------- accept / reject
@pytest.mark.parametrize("check_id", sorted(REFERENCES))
def test_check_accepts_reference(check_id):
    result = verdict(check_id, REFERENCES[check_id])
    assert result.passed, result.message


@pytest.mark.parametrize("check_id", sorted(REFERENCES) + ["conv_speed"])
def test_check_rejects_the_blank_notebook(check_id):
    """Does an untouched exercise (NotImplementedError) get no points, with the error named?"""
    def blank(**_):
        raise NotImplementedError()

    result = verdict(check_id, blank)
    assert not result.passed and "NotImplementedError" in result.message


@pytest.mark.parametrize("check_id", ["conv_forward_naive", "conv_forward"])
@pytest.mark.parametrize("mistake", sorted(FORWARD_MISTAKES))
def test_forward_checks_reject(check_id, mistake):
    result = verdict(check_id, FORWARD_MISTAKES[mistake])
    assert not result.passed, result.message
    assert "hidden case" in result.message


@pytest.mark.parametrize("mistake", sorted(BACKWARD_MISTAKES))
def test_conv_backward_rejects(mistake):
    result = verdict("conv_backward", backward_submission(BACKWARD_MISTAKES[mistake]))
    assert not result.passed, result.message
    assert "tf.GradientTape" in result.message


def test_conv_backward_accepts_the_lecture_form():
    result = verdict("conv_backward", backward_submission(backward_by_full_convolution))
    assert result.passed, result.message


@pytest.mark.parametrize("mistake, expected", [
    (max_pool_to_every_input, "dx"),
    (max_pool_fancy_index_assign, "dx"),
    (max_pool_to_the_minimum, "dx"),
], ids=["gradient-to-every-pooled-input", "overlaps-overwritten", "gradient-to-the-minimum"])
def test_max_pool_rejects(mistake, expected):
    result = verdict("max_pool", mistake)
    assert not result.passed and expected in result.message


@pytest.mark.parametrize("mistake", [avg_pool_not_divided, avg_pool_overwrites_overlaps],
                         ids=["not-divided-by-area", "overlaps-overwritten"])
def test_avg_pool_rejects(mistake):
    result = verdict("avg_pool", mistake)
    assert not result.passed and "dx" in result.message


@pytest.mark.parametrize("mistake", [rf_jump_updated_first, rf_ignores_strides, rf_sum_of_kernels],
                         ids=["jump-updated-first", "strides-ignored", "sum-of-kernels"])
def test_receptive_field_rejects(mistake):
    result = verdict("receptive_field", receptive_field_submission(mistake))
    assert not result.passed and "expected (size, jump)" in result.message


# --------------------------------------------------------------------------- speed
def speed_submission(conv):
    """The notebook's hidden lambda for conv_speed around a candidate ``conv(x, w, b, stride, pad) -> out``."""
    return lambda x, w, b, stride, pad: conv(x, w, b, stride, pad)


def test_conv_speed_accepts_reference():
    result = verdict("conv_speed", speed_submission(reference_forward))
    assert result.passed and "no Python loop" in result.message, result.message


@pytest.mark.parametrize("conv", [naive_loops, loop_over_rows], ids=["naive-loop", "loop-over-rows"])
def test_conv_speed_rejects_a_loop_over_output_positions(conv):
    result = verdict("conv_speed", speed_submission(conv))
    assert not result.passed and "loops over output positions" in result.message, result.message


def test_conv_speed_rejects_a_wrong_fast_convolution():
    result = verdict("conv_speed", lambda x, w, b, stride, pad: np.zeros((1, x.shape[1] - 2, x.shape[2] - 2, 16)))
    assert not result.passed and "out is wrong" in result.message


@pytest.mark.parametrize("conv", [reference_forward, loop_over_rows], ids=["vectorised", "loop-over-rows"])
def test_conv_speed_gives_the_same_verdict_in_20_runs(conv):
    """Is one submission's verdict, line counts included, the same in 20 of 20 runs (no clock involved)?"""
    verdicts = {verdict("conv_speed", speed_submission(conv)) for _ in range(20)}
    assert len(verdicts) == 1, verdicts


def test_conv_speed_fails_without_line_counts():
    """Results without line counts (an old results file) cannot pass."""
    cases = checks.make_speed_cases(np.random.default_rng(3))
    results = [CaseResult((reference_forward(c["x"], c["w"], c["b"], c["stride"], c["pad"]),), None, 0.0)
               for c in cases]
    assert not checks.judge_conv_speed(cases, results).passed


# --------------------------------------------------------------------------- edge cases, whatever the secret
SECRETS = [f"term-{i}" for i in range(50)] + [""]


def _hidden_cases(check_id: str, secret: str) -> list[dict]:
    """The hidden cases, a case without pool_size/stride (stride/pad) read with the defaults it is judged by."""
    check = next(c for c in load_checks(ASSIGNMENT) if c.id == check_id)
    cases = check.make_cases(np.random.default_rng(judging.case_seed(ASSIGNMENT, check_id, secret)))
    if check_id.endswith("_pool"):
        return [{**cases_.POOL_DEFAULTS, **case} for case in cases]
    return [cases_.with_conv_defaults(case) if "w" in case else case for case in cases]


def _conv_axes(case):
    """((size, kernel), (size, kernel)) for the two spatial axes of a convolution case."""
    return tuple(zip(case["x"].shape[1:3], case["w"].shape[:2]))


def _same_totals(case):
    return [same_padding_total(n, k, case["stride"]) for n, k in _conv_axes(case)] if case["pad"] == "same" else []


CONV_EDGE_CLASSES = {
    "odd SAME total with stride > 1": lambda c: c["stride"] > 1 and any(t > 0 and t % 2 for t in _same_totals(c)),
    "negative SAME total": lambda c: any(t < 0 for t in _same_totals(c)),
    "kernel smaller than stride": lambda c: min(c["w"].shape[:2]) < c["stride"],
    "non-square input": lambda c: c["x"].shape[1] != c["x"].shape[2],
    "non-square kernel": lambda c: c["w"].shape[0] != c["w"].shape[1],
    "C_in != C_out": lambda c: c["w"].shape[2] != c["w"].shape[3],
    "batch > 1": lambda c: c["x"].shape[0] > 1,
    "int padding": lambda c: isinstance(c["pad"], int) and c["pad"] > 0,
    "exact zeros in the true output": lambda c: np.any(
        checks.conv_forward_reference(c["x"], c["w"], c["b"], c["stride"], c["pad"])[0] == 0.0),
}


def _has_tied_maximum(case) -> bool:
    windows = sliding_window_view(case["x"], (case["pool_size"],) * 2, axis=(1, 2))[:, ::case["stride"], ::case["stride"]]
    flat = windows.reshape(*windows.shape[:4], -1)
    return bool(np.any((flat == flat.max(axis=-1, keepdims=True)).sum(axis=-1) > 1))


POOL_EDGE_CLASSES = {
    "tied maxima in a window": _has_tied_maximum,
    "overlapping windows": lambda c: c["stride"] < c["pool_size"],
    "window smaller than stride": lambda c: c["pool_size"] < c["stride"],
    "non-square input": lambda c: c["x"].shape[1] != c["x"].shape[2],
    "batch > 1 and channels > 1": lambda c: c["x"].shape[0] > 1 and c["x"].shape[3] > 1,
    "exact zeros in the true output": lambda c: np.any(
        checks.avg_pool_reference(c["x"], c["pool_size"], c["stride"])[0] == 0.0),
}

RECEPTIVE_FIELD_EDGE_CLASSES = {
    "kernel smaller than stride": lambda c: any(k < s for k, s in c["layers"]),
    "a stride > 1 before a kernel > 1": lambda c: any(
        s > 1 and any(k > 1 for k, _ in c["layers"][i + 1:]) for i, (_, s) in enumerate(c["layers"])),
    "a single layer": lambda c: len(c["layers"]) == 1,
}

COMPOSE_EDGE_CLASSES = {
    "k1 smaller than the stride": lambda c: max(c["k1"].shape[:2]) < c.get("stride", 1) and max(c["k2"].shape[:2]) > 1,
    "non-square k1 and k2": lambda c: c["k1"].shape[0] != c["k1"].shape[1] and c["k2"].shape[0] != c["k2"].shape[1],
    "a 1x1 k2": lambda c: c["k2"].shape[:2] == (1, 1),
    "the default stride": lambda c: "stride" not in c,
    "F1 > 1 and a stride > 1": lambda c: c["k1"].shape[3] > 1 and c.get("stride", 1) > 1,
    "a single input channel and filter": lambda c: c["k1"].shape[2] == 1 and c["k2"].shape[3] == 1,
}

EDGE_CLASSES = {
    "conv_forward_naive": CONV_EDGE_CLASSES, "conv_forward": CONV_EDGE_CLASSES, "conv_backward": {
        **CONV_EDGE_CLASSES,
        "exact zeros in the true dx": lambda c: np.any(checks.conv_backward_reference(
            c["dout"], checks.conv_forward_reference(c["x"], c["w"], c["b"], c["stride"], c["pad"])[1])[0] == 0.0),
    },
    "max_pool": POOL_EDGE_CLASSES, "avg_pool": POOL_EDGE_CLASSES, "receptive_field": RECEPTIVE_FIELD_EDGE_CLASSES,
    "compose_kernels": COMPOSE_EDGE_CLASSES,
}


@pytest.mark.parametrize("check_id", sorted(EDGE_CLASSES))
def test_every_edge_case_class_is_hidden_whatever_the_secret(check_id):
    """Over 50 secrets (and the empty default), does each check's hidden set hold every edge-case class?"""
    for secret in SECRETS:
        cases = _hidden_cases(check_id, secret)
        missing = [name for name, present in EDGE_CLASSES[check_id].items() if not any(present(c) for c in cases)]
        assert not missing, f"secret {secret!r}: {check_id} has no hidden case with {missing}"


@pytest.mark.parametrize("check_id, visible", [
    ("conv_forward_naive", cases_.VISIBLE_FORWARD_NAIVE), ("conv_forward", cases_.VISIBLE_FORWARD),
    ("conv_backward", cases_.VISIBLE_BACKWARD)])
def test_hidden_cases_hold_the_grade_cells_visible_shapes(check_id, visible):
    """Does each visible assert's (x shape, w shape, stride, pad) appear among the hidden cases?"""
    hidden = {(c["x"].shape, c["w"].shape, c["stride"], c["pad"]) for c in _hidden_cases(check_id, "any")}
    assert {(s.x_shape, s.w_shape, s.stride, s.pad) for s in visible} <= hidden


@pytest.mark.parametrize("check_id", ["conv_forward_naive", "conv_forward"])
def test_forward_checks_judge_the_default_stride_and_pad(check_id):
    """Handed over as the grade cells hand them over (stride and pad only when a case has them), do the
    forward checks pass the signatures' defaults (1, "valid") and fail a default stride of 2, a default
    pad of "same" and one it must refuse, "XXvalidXX" (mutants that survived before a case left them out)?"""
    def handed(stride_default, pad_default):
        def conv(x, w, b, stride=stride_default, pad=pad_default):
            return reference_forward(x, w, b, stride, pad)

        def graded(x, w, b, **options):
            try:
                return 0, conv(x, w, b, *[options[k] for k in ("stride", "pad") if k in options])
            except ValueError:
                return 1, 0
        return graded if check_id == "conv_forward_naive" else conv

    defaults = [(1, "valid"), (2, "valid"), (1, "same"), (1, "XXvalidXX")]
    passed = {d: run_function_check_inline(ASSIGNMENT, check_id, handed(*d)).passed for d in defaults}
    assert passed == {(1, "valid"): True, (2, "valid"): False, (1, "same"): False, (1, "XXvalidXX"): False}


def test_hidden_pool_cases_hold_the_grade_cells_visible_ones():
    """Is max_pool's visible case (1x6x6x2, 3/2, distinct values, ones upstream) hidden too, and avg_pool's,
    and does each check hold a case that leaves pool_size and stride at their defaults?"""
    for check_id in ("max_pool", "avg_pool"):
        check = next(c for c in load_checks(ASSIGNMENT) if c.id == check_id)
        assert any("pool_size" not in c and "stride" not in c for c in check.make_cases(np.random.default_rng(0)))
    for check_id, (x_shape, pool, stride) in (("max_pool", ((1, 6, 6, 2), 3, 2)), ("avg_pool", ((2, 7, 6, 3), 3, 2))):
        assert any(c["x"].shape == x_shape and (c["pool_size"], c["stride"]) == (pool, stride)
                   for c in _hidden_cases(check_id, "any"))
    assert any(np.all(c["dout"] == 1) for c in _hidden_cases("max_pool", "any"))


def test_hidden_compose_cases_hold_the_grade_cells_visible_ones():
    """Are the grade cell's kernels (3x2x2x3 then 2x3x3x2) hidden at the default stride and at stride 2?"""
    shapes = {(c["k1"].shape, c["k2"].shape, c.get("stride")) for c in _hidden_cases("compose_kernels", "any")}
    assert {((3, 2, 2, 3), (2, 3, 3, 2), None), ((3, 2, 2, 3), (2, 3, 3, 2), 2)} <= shapes
