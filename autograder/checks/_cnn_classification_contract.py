"""The clauses of 02_cnn_classification's counting exercises and confusion matrix, each with its case.

Written down beside ``autograder/checks/02_cnn_classification.py`` (issue 27, "contract
coverage"): every promise of Exercises 2.1 (``conv_output_shape``), 2.2 (``conv_params``,
``dense_params``), 2.4 (``batchnorm_forward``) and 2.6 (``confusion_matrix``), the predicate that picks the fixed hidden
case exercising it (``_cnn_classification_functions.py``, ``_cnn_classification_batchnorm.py``; present whatever
``COURSE_JUDGE_SECRET`` is), and the corpus mistake in ``tests/answers/02_cnn_classification/``
that breaks only that clause. ``tests/test_contract_coverage.py`` checks all three. Why: a
promise no hidden case tries is one a wrong answer can skip ("any other padding raises
ValueError" was never tried before issue 27).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.verdicts.judging import Clause

Case = dict[str, Any]


def _padding(case: Case) -> str:
    return str(case.get("padding", "valid"))


def _with_bias(case: Case) -> bool:
    return bool(case.get("use_bias", True))


def _valid_remainder(case: Case) -> bool:
    """VALID with (size - kernel) not a multiple of the stride: floor division matters."""
    return _padding(case) == "valid" and (case["input_size"] - case["kernel_size"]) % case.get("stride", 1) != 0


def _confusion(case: Case) -> np.ndarray:
    matrix = np.zeros((case["num_classes"],) * 2, dtype=np.int64)
    np.add.at(matrix, (np.asarray(case["y_true"]), np.asarray(case["y_pred"])), 1)
    return matrix


def _training(case: Case) -> bool:
    return bool(case.get("training", True))


def _values_per_channel(case: Case) -> int:
    """m, the number of values each channel's batch statistics average over (N * H * W, or N)."""
    return int(np.prod(np.shape(case["x"])[:-1]))


def _labels_seen(case: Case) -> np.ndarray:
    return np.unique(np.concatenate([np.asarray(case["y_true"]), np.asarray(case["y_pred"])]))


CLAUSES: dict[str, tuple[Clause, ...]] = {
    "conv_output_shape": (
        Clause("'valid': 1 + (H - K) // S, the + 1 included",
               lambda case: _padding(case) == "valid", "shape_valid_without_plus_one"),
        Clause("'valid': the floor of (H - K) / S, an integer (not a float)",
               _valid_remainder, "shape_float_division"),
        Clause("stride given: the output shrinks by the stride",
               lambda case: case.get("stride", 1) > 1 and _padding(case) == "valid", "shape_stride_ignored",
               argument="stride"),
        Clause("padding='same': ceil(H / S), not the 'valid' size",
               lambda case: _padding(case) == "same" and case["kernel_size"] > 1, "shape_padding_ignored",
               argument="padding"),
        Clause("'same' rounds up: ceil(H / S), not H // S",
               lambda case: _padding(case) == "same" and case["input_size"] % case["stride"] != 0,
               "shape_same_rounds_down"),
        Clause("'same' with an even kernel: Keras pads just enough (not (K - 1) // 2 on each side)",
               lambda case: _padding(case) == "same" and case["kernel_size"] % 2 == 0,
               "shape_same_symmetric_padding"),
        Clause("stride left out: the default stride is 1 (not the kernel size)",
               lambda case: "stride" not in case and case["kernel_size"] > 1, "shape_default_stride_kernel"),
        Clause("padding left out: the default padding is 'valid'",
               lambda case: "padding" not in case and case["kernel_size"] > 1, "shape_default_padding_same"),
        Clause("any padding other than 'valid' or 'same' raises ValueError",
               lambda case: _padding(case) not in ("valid", "same"), "shape_no_value_error"),
    ),
    "conv_params": (
        Clause("K * K weights per input channel and filter: the kernel is square",
               lambda case: case["kernel_size"] > 1, "params_kernel_not_squared"),
        Clause("each filter sees every input channel: K * K * C * F weights",
               lambda case: case["in_channels"] > 1, "params_in_channels_forgotten"),
        Clause("use_bias True: one bias per filter is counted", _with_bias, "params_bias_forgotten"),
        Clause("one bias per filter, not per input channel",
               lambda case: _with_bias(case) and case["in_channels"] != case["filters"], "params_bias_per_input"),
        Clause("use_bias=False: the weights only",
               lambda case: "use_bias" in case and not case["use_bias"], "params_bias_always_counted",
               argument="use_bias"),
        Clause("use_bias left out: a bias is counted (the default is True, as in Keras)",
               lambda case: "use_bias" not in case, "params_default_no_bias"),
    ),
    "dense_params": (
        Clause("use_bias True: one bias per unit is counted", _with_bias, "params_bias_forgotten"),
        Clause("one bias per unit, not per input feature",
               lambda case: _with_bias(case) and case["in_features"] != case["units"], "params_bias_per_input"),
        Clause("use_bias=False: the weights only",
               lambda case: "use_bias" in case and not case["use_bias"], "params_bias_always_counted",
               argument="use_bias"),
        Clause("use_bias left out: a bias is counted (the default is True, as in Keras)",
               lambda case: "use_bias" not in case, "params_default_no_bias"),
    ),
    "confusion_matrix": (
        Clause("entry [i, j] counts true class i predicted as j: rows are the truth",
               lambda case: not np.array_equal(_confusion(case), _confusion(case).T), "confusion_transposed"),
        Clause("a repeated (true, predicted) pair counts every time",
               lambda case: int(_confusion(case).max()) > 1, "confusion_fancy_index_plus_equals"),
        Clause("shape (num_classes, num_classes), even when the top classes never occur",
               lambda case: int(_labels_seen(case).max()) + 1 < case["num_classes"], "confusion_size_from_labels"),
        Clause("row and column k stand for label k, not for its rank among the labels seen",
               lambda case: not np.array_equal(_labels_seen(case), np.arange(len(_labels_seen(case)))),
               "confusion_unique_ranks"),
        Clause("counts, not rates: rows are not normalised",
               lambda case: int(_confusion(case).sum(axis=1).max()) > 1, "confusion_normalised"),
        Clause("returns the matrix alone (not a tuple holding it)", lambda case: True,
               "confusion_histogram2d_tuple"),
    ),
    "batchnorm_forward": (
        Clause("training: each channel normalised with its batch mean and variance over N, H and W (channels last)",
               lambda case: _training(case) and np.ndim(case["x"]) == 4 and np.prod(np.shape(case["x"])[1:3]) > 1,
               "batchnorm_wrong_axis"),
        Clause("the variance divided by m (biased, as Keras), not m - 1",
               lambda case: _training(case) and _values_per_channel(case) <= 30, "batchnorm_unbiased_variance"),
        Clause("x of shape (N, D) too: statistics per feature over the batch",
               lambda case: np.ndim(case["x"]) == 2 and _training(case), "batchnorm_axes_hard_coded"),
        Clause("eps given: added to the variance, inside the square root",
               lambda case: "eps" in case and case["eps"] >= 0.1, "batchnorm_eps_ignored", argument="eps"),
        Clause("eps inside the square root, not added to the standard deviation",
               lambda case: case.get("eps", 1e-3) >= 0.01, "batchnorm_eps_outside_sqrt"),
        Clause("training: the running averages returned, moved towards the batch's statistics",
               _training, "batchnorm_running_not_updated"),
        Clause("momentum given: running = momentum * running + (1 - momentum) * batch (the old value keeps momentum)",
               lambda case: _training(case) and "momentum" in case and case["momentum"] != 0.5,
               "batchnorm_momentum_swapped", argument="momentum"),
        Clause("training=False: normalised with the running averages, not the batch's statistics",
               lambda case: not _training(case) and _values_per_channel(case) > 1, "batchnorm_batch_stats_at_inference",
               argument="training"),
        Clause("training=False: an example's output does not depend on the rest of the batch (one example alone)",
               lambda case: not _training(case) and np.shape(case["x"])[0] == 1, "batchnorm_batch_stats_at_inference"),
        Clause("training=False: the running averages come back unchanged",
               lambda case: not _training(case), "batchnorm_updates_at_inference"),
        Clause("momentum, eps and training left out: Keras' defaults 0.99, 1e-3 and training mode",
               lambda case: not {"momentum", "eps", "training"} & set(case), "batchnorm_wrong_defaults"),
    ),
}
