"""The clauses of 01_convolution's exercise texts, each with the hidden case that holds a function to it.

Written down beside ``autograder/checks/01_convolution.py`` (issue 27, "contract coverage"): every
promise of Exercises 1.1-1.8 (the conventions cell's borders rules, ``padding_amounts``'s
"raises ValueError for anything else", strides, ties, overlapping windows, float64), the
predicate that picks the fixed hidden case exercising it (``_convolution_cases.py``; present
whatever ``COURSE_JUDGE_SECRET`` is), and the corpus mistake in ``tests/answers/01_convolution/``
that breaks only that clause. ``tests/test_contract_coverage.py`` checks all three. Why: a
promise no hidden case tries is one a wrong answer can skip.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from autograder.checks._convolution_cases import is_bad_pad, with_conv_defaults
from autograder.checks._convolution_reference import padding_amounts, same_padding_total
from autograder.verdicts.judging import Clause

Case = dict[str, Any]


def _conv(test: Callable[[Case], bool]) -> Callable[[Case], bool]:
    """``test`` on convolution cases with a pad the functions must handle (bad pads are False); a case
    that leaves stride and pad out is read with the defaults it is judged by."""
    def exercised(case: Case) -> bool:
        case = with_conv_defaults(case)
        return not is_bad_pad(case["pad"]) and bool(test(case))
    return exercised


def _same(case: Case) -> bool:
    return isinstance(case["pad"], str) and case["pad"] == "same"


def _same_totals(case: Case) -> list[int]:
    """SAME's unclamped total padding along H and W."""
    return [same_padding_total(case["x"].shape[axis], case["w"].shape[axis - 1], case["stride"]) for axis in (1, 2)]


def _int_pad(case: Case) -> bool:
    return not isinstance(case["pad"], str) and case["pad"] > 0


def _uncovered_rows(case: Case) -> bool:
    """Padded rows or columns no window reaches: (H_p - K) not a multiple of the stride."""
    return any((case["x"].shape[axis] + sum(padding_amounts(case["x"].shape[axis], case["w"].shape[axis - 1],
                                                            case["stride"], case["pad"]))
                - case["w"].shape[axis - 1]) % case["stride"] != 0 for axis in (1, 2))


def _ties(case: Case) -> bool:
    """Pooling input with few distinct values: tied maxima in most windows."""
    return len(np.unique(case["x"])) <= 5


def _compose_shapes(case: Case) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """compose_kernels' case: k1's shape, k2's shape, the stride (1 when the case leaves it out)."""
    return case["k1"].shape, case["k2"].shape, case.get("stride", 1)


def _receptive(case: Case) -> tuple[int, int]:
    size, jump = 1, 1
    for kernel, stride in np.asarray(case["layers"]).tolist():
        size, jump = size + (kernel - 1) * jump, jump * stride
    return size, jump


CROSS_CORRELATION = "cross-correlation: w is used as it is (not flipped)"
BIAS = "b[f] is added to every output of filter f"
SAME_AFTER = "pad='same', odd total: the extra zero goes after (bottom/right), as in TensorFlow"
SAME_CLAMPED = "pad='same' with a kernel smaller than the stride: the total padding is clamped at 0"
FLOAT64 = "computed in float64 (matches tf.nn.conv2d to 1e-9 of the largest value)"
# The signatures' defaults (the template's def lines): a case that leaves the argument out.
DEFAULT_STRIDE = Clause("stride left out: it defaults to 1", lambda c: "stride" not in c, "conv_default_stride_2")
DEFAULT_PAD = Clause("pad left out: it defaults to 'valid'", lambda c: "pad" not in c, "conv_default_pad_same")

CLAUSES: dict[str, tuple[Clause, ...]] = {
    "conv_forward_naive": (
        Clause(CROSS_CORRELATION, _conv(lambda c: c["w"].shape[0] > 1), "conv_kernel_flipped"),
        Clause(BIAS, _conv(lambda c: True), "conv_bias_forgotten"),
        Clause("stride s: window (i, j) starts at (s i, s j)", _conv(lambda c: c["stride"] > 1),
               "conv_naive_stride_ignored", argument="stride"),
        Clause("an int pad p: p zeros on every side", _conv(_int_pad), "conv_naive_int_pad_off_by_one",
               argument="pad"),
        Clause(SAME_AFTER, _conv(lambda c: _same(c) and any(t > 0 and t % 2 for t in _same_totals(c))),
               "conv_same_extra_zero_on_top"),
        Clause("pad='same' with a stride: ceil(H / s) outputs from TensorFlow's padding, not stride-1 SAME "
               "subsampled", _conv(lambda c: _same(c) and c["stride"] > 1), "conv_same_stride1_then_subsample"),
        Clause(SAME_CLAMPED, _conv(lambda c: _same(c) and min(_same_totals(c)) < 0), "conv_same_unclamped"),
        Clause("any pad other than 'valid', 'same' or an int >= 0 raises ValueError (padding_amounts)",
               lambda case: is_bad_pad(with_conv_defaults(case)["pad"]), "conv_bad_pad_silent"),
        DEFAULT_STRIDE,
        DEFAULT_PAD,
    ),
    # The cross-correlation and the bias are conv_forward_naive's clauses: a corpus mistake that breaks them
    # in conv_forward breaks the visible numeric-gradient checks of conv_backward, which calls it, while
    # the hidden conv_backward check (on the true gradients) passes, which the corpus test refuses.
    "conv_forward": (
        Clause("stride s: one window in every s along both axes", _conv(lambda c: c["stride"] > 1),
               "conv_forward_stride_ignored", argument="stride"),
        Clause("an int pad p: p zeros on every side", _conv(_int_pad), "conv_int_pad_off_by_one", argument="pad"),
        Clause(SAME_AFTER, _conv(lambda c: _same(c) and any(t > 0 and t % 2 for t in _same_totals(c))),
               "conv_same_extra_zero_on_top"),
        Clause("pad='same' with an even kernel or a stride: TensorFlow's total, not (K - 1) // 2 on each side",
               _conv(lambda c: _same(c) and (c["w"].shape[0] % 2 == 0 or c["stride"] > 1)),
               "conv_same_symmetric_padding"),
        Clause(SAME_CLAMPED, _conv(lambda c: _same(c) and min(_same_totals(c)) < 0), "conv_same_unclamped"),
        Clause(FLOAT64, _conv(lambda c: True), "conv_float32"),
        DEFAULT_STRIDE,
        DEFAULT_PAD,
    ),
    "conv_speed": (
        Clause("no Python loop over output rows: the lines run do not grow with the output",
               lambda c: c["stride"] == 1, "conv_forward_loop_over_rows"),
        Clause("no np.vectorize over output positions", lambda c: c["stride"] == 1, "conv_forward_np_vectorize"),
        Clause("no np.apply_along_axis over output positions", lambda c: c["stride"] == 1,
               "conv_forward_apply_along_axis"),
        Clause("not the naive loop", lambda c: c["stride"] == 1, "conv_forward_is_the_naive_loop"),
        Clause("no loop over output positions at a stride > 1 either", lambda c: c["stride"] > 1,
               "conv_forward_loop_when_strided", argument="stride"),
        Clause("no loop over rows when the input is padded either", lambda c: c["pad"] != "valid",
               "conv_forward_pads_row_by_row", argument="pad"),
        Clause("the output is right too (at stride 1, VALID), " + FLOAT64, lambda c: c["stride"] == 1, "conv_float32"),
    ),
    "conv_backward": (
        Clause("dx: the full convolution of the dilated dout with the kernel flipped",
               _conv(lambda c: c["w"].shape[0] > 1), "conv_backward_no_flip"),
        Clause("dw: the padded input correlated with dout (not flipped)", _conv(lambda c: c["w"].shape[0] > 1),
               "conv_backward_dw_flipped"),
        Clause("dw sums over every image of the batch", _conv(lambda c: c["x"].shape[0] > 1),
               "conv_backward_dw_first_image"),
        Clause("db sums dout over images and positions (not a mean)", _conv(lambda c: True), "conv_backward_db_mean"),
        Clause("overlapping windows (stride < kernel) add their contributions to dx",
               _conv(lambda c: 1 < c["stride"] < c["w"].shape[0]), "conv_backward_fancy_index_plus_equals"),
        Clause("pad given: exactly the padding is cut off dx (top, left)", _conv(_int_pad),
               "conv_backward_crop_off_by_one", argument="pad"),
        Clause("stride s: padded rows and columns no window reaches get a zero gradient",
               _conv(lambda c: c["stride"] > 1 and _uncovered_rows(c)), "conv_backward_uncovered_rows_forgotten",
               argument="stride"),
        Clause(SAME_AFTER, _conv(lambda c: _same(c) and any(t > 0 and t % 2 for t in _same_totals(c))),
               "conv_same_extra_zero_on_top"),
        Clause("an int pad p: p zeros on every side", _conv(_int_pad), "conv_int_pad_off_by_one"),
        Clause(FLOAT64, _conv(lambda c: True), "conv_float32"),
    ),
    "max_pool": (
        Clause("pool_size given: windows of pool_size x pool_size", lambda c: c.get("pool_size", 2) != 2,
               "max_pool_window_always_2x2", argument="pool_size"),
        Clause("stride given: windows stride apart", lambda c: c.get("stride", 2) > 1, "max_pool_forward_ignores_stride",
               argument="stride"),
        Clause("pool_size and stride default to 2", lambda c: "pool_size" not in c and "stride" not in c,
               "max_pool_wrong_defaults"),
        Clause("the gradient reaches only the maximum of each window", lambda c: True,
               "max_pool_gradient_to_every_input"),
        Clause("ties: the whole gradient to the first maximum in reading order", _ties, "max_pool_last_tie"),
        Clause("ties: not to every tied input", _ties, "max_pool_ties_all_get_gradient"),
        Clause("ties: not split between the tied inputs", _ties, "max_pool_ties_split"),
        Clause("overlapping windows: an input that is the maximum of several gets the sum of their gradients",
               lambda c: c.get("stride", 2) < c.get("pool_size", 2), "max_pool_fancy_index_plus_equals"),
    ),
    "avg_pool": (
        Clause("pool_size given: the mean over pool_size ** 2 inputs", lambda c: c.get("pool_size", 2) != 2,
               "avg_pool_forward_divides_by_side", argument="pool_size"),
        Clause("stride given: windows stride apart", lambda c: c.get("stride", 2) > 1, "avg_pool_forward_ignores_stride",
               argument="stride"),
        Clause("pool_size and stride default to 2", lambda c: "pool_size" not in c and "stride" not in c,
               "avg_pool_wrong_defaults"),
        Clause("backward: every input of a window receives dy / pool_size ** 2", lambda c: True,
               "avg_pool_not_divided"),
        Clause("overlapping windows: the shares add up", lambda c: c.get("stride", 2) < c.get("pool_size", 2),
               "avg_pool_overwrites_overlaps"),
    ),
    "receptive_field": (
        Clause("a layer adds (k - 1) times the jump before it",
               lambda c: any(k > 1 for k, _ in np.asarray(c["layers"]).tolist()[1:])
               and np.asarray(c["layers"])[0, 1] > 1, "receptive_field_jump_updated_first"),
        Clause("strides multiply the jump", lambda c: bool(np.any(np.asarray(c["layers"])[:-1, 1] > 1)),
               "receptive_field_ignores_strides"),
        Clause("returns (size, jump), in that order", lambda c: _receptive(c)[0] != _receptive(c)[1],
               "receptive_field_swapped"),
    ),
    "compose_kernels": (
        Clause("K is the full convolution of the kernels (k2 is not flipped against k1)",
               lambda c: min(_compose_shapes(c)[1][:2]) > 1, "compose_kernels_correlated"),
        Clause("K sums over the F1 channels between the layers (k1's outputs are k2's inputs)",
               lambda c: _compose_shapes(c)[0][3] > 1, "compose_kernels_channels_summed_apart"),
        Clause("K is K1 + stride (K2 - 1) along each axis, heights with heights and widths with widths "
               "(non-square kernels)", lambda c: _compose_shapes(c)[1][0] != _compose_shapes(c)[1][1],
               "compose_kernels_square_padding"),
        Clause("stride s of the first convolution: k2's taps land s input pixels apart (k2 dilated by s)",
               lambda c: _compose_shapes(c)[2] > 1 and max(_compose_shapes(c)[1][:2]) > 1,
               "compose_kernels_stride_ignored", argument="stride"),
        Clause("stride: it is k2 that is dilated, not k1",
               lambda c: _compose_shapes(c)[2] > 1 and min(_compose_shapes(c)[0][:2]) > 1
               and max(_compose_shapes(c)[1][:2]) > 1, "compose_kernels_dilates_k1", argument="stride"),
    ),
}
