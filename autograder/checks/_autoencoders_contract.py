"""The contracts of 05_autoencoders' function checks, clause by clause (grader side only).

Why: a hidden check is only as fair as the clauses of the exercise text its cases exercise.
Each clause below states one promise of the exercise (markdown and docstring in
``solutions/05_autoencoders/05_autoencoders.ipynb``): an argument, a shape, what is returned,
fresh randomness at every call. ``exercised_by`` picks the fixed hidden case of
:mod:`_autoencoders_functions` that holds a function to it (whatever the term's secret), and
``mistake`` names the answer-corpus entry ``tests/answers/05_autoencoders/<mistake>.py`` that breaks
it and that the check fails (``tests/test_contract_coverage.py`` enforces all three).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.verdicts.judging import Clause

Case = dict[str, Any]


def _shape(case: Case) -> tuple[int, int]:
    return tuple(int(size) for size in case["input_shape"])


def _kernel(case: Case) -> tuple[int, int]:
    return tuple(int(size) for size in np.shape(case["kernel"]))


def _output_size(case: Case) -> tuple[int, int]:
    (kh, kw), (h, w), stride = _kernel(case), _shape(case), int(case["stride"])
    return (h - kh) // stride + 1, (w - kw) // stride + 1


def _leftover(case: Case) -> bool:
    """Stride > 1 and some input row or column no window reaches (floor, not ceil, of the output size)."""
    (kh, kw), (h, w), stride = _kernel(case), _shape(case), int(case["stride"])
    return stride > 1 and ((h - kh) % stride > 0 or (w - kw) % stride > 0)


def _grey(case: Case) -> bool:
    x = np.asarray(case["x"])
    return bool(np.any((x > 0) & (x < 1)))


CONV_MATRIX = (
    Clause("the kernel is placed as it is (tf.nn.conv2d is a cross-correlation): a kernel that differs "
           "from its flip", lambda c: not np.allclose(c["kernel"], np.asarray(c["kernel"])[::-1, ::-1]),
           "conv_matrix_flipped_kernel", argument="kernel"),
    Clause("A is (H_out * W_out, H * W): one row per output pixel, one column per input pixel, not A^T",
           lambda c: np.prod(_output_size(c)) != np.prod(_shape(c)), "conv_matrix_transposed",
           argument="input_shape"),
    Clause("H_out = (H - KH) // stride + 1: input rows or columns no window reaches are dropped",
           _leftover, "conv_matrix_ceil_output_size", argument="stride"),
    Clause("window (i, j) starts at row i * stride and column j * stride (stride > 1, several windows)",
           lambda c: int(c["stride"]) > 1 and min(_output_size(c)) > 1, "conv_matrix_windows_step_one",
           argument="stride"),
    Clause("a 1-D convolution is the case H = KH = 1", lambda c: _shape(c)[0] == 1 and _kernel(c)[0] == 1,
           "conv_matrix_squeezed_kernel"),
    Clause("kernel and input need not be square (KH != KW, H != W) in two dimensions",
           lambda c: _kernel(c)[0] > 1 and _kernel(c)[0] != _kernel(c)[1] and _shape(c)[0] != _shape(c)[1],
           "conv_matrix_square_assumed"),
)

GAUSSIAN_KL = (
    Clause("summed over the latent dimensions: one KL per example, shape (N,)",
           lambda c: np.shape(c["mu"])[1] > 1, "gaussian_kl_per_dimension"),
    Clause("a sum over the latent dimensions, not their mean", lambda c: np.shape(c["mu"])[1] > 1,
           "gaussian_kl_mean_over_dimensions"),
    Clause("log_var is log sigma^2: sigma^2 = exp(log_var)", lambda c: np.any(np.asarray(c["log_var"]) != 0),
           "gaussian_kl_forgot_exp", argument="log_var"),
    Clause("mu enters squared (a mean far from 0)", lambda c: np.max(np.abs(c["mu"])) >= 2,
           "gaussian_kl_mu_not_squared", argument="mu"),
    Clause("KL(q || p) = 0 where q = p (mu = 0, log_var = 0)",
           lambda c: not np.any(c["mu"]) and not np.any(c["log_var"]), "gaussian_kl_missing_one"),
    Clause("the factor 1/2 of the closed form", lambda c: np.any(np.asarray(c["mu"]) != 0),
           "gaussian_kl_missing_half"),
    Clause("a KL is never negative: -1/2 in front of the sum", lambda c: np.any(np.asarray(c["mu"]) != 0),
           "gaussian_kl_wrong_sign"),
    Clause("in TensorFlow operations: gradients reach mu and log_var (the VAE's train_step differentiates the KL)",
           lambda c: "mu" in c and "log_var" in c, "gaussian_kl_numpy"),
)

SAMPLE_LATENT = (
    Clause("z has the shape of mu: noise drawn per example and per latent dimension (many examples, d > 1)",
           lambda c: np.shape(c["mu"])[0] > 100 and np.shape(c["mu"])[1] > 1,
           "sample_latent_noise_shared_by_examples", argument="mu"),
    Clause("sigma = exp(0.5 * log_var), not exp(log_var)", lambda c: np.any(np.asarray(c["log_var"]) != 0),
           "sample_latent_variance_as_scale", argument="log_var"),
    Clause("the gradient reaches mu and log_var (z = mu + sigma * eps in TensorFlow, no stop_gradient)",
           lambda c: "cotangent" in c, "sample_latent_stop_gradient"),
    Clause("z is sampled, not drawn with NumPy outside the graph",
           lambda c: "cotangent" in c, "sample_latent_numpy_draw"),
    Clause("returns one z, not (z, eps)", lambda c: "mu" in c, "sample_latent_returns_noise_too"),
    Clause("fresh noise at every call: the grade cell calls it twice on the same mu and log_var (every case)",
           lambda c: "mu" in c and "log_var" in c, "sample_latent_fixed_seed"),
)

BERNOULLI = (
    Clause("from the logits (the decoder's raw outputs, any real number), not probabilities",
           lambda c: np.any(np.abs(c["logits"]) > 1), "bernoulli_logits_as_probabilities", argument="logits"),
    Clause("images (N, 28, 28, 1): summed over every axis but the first",
           lambda c: np.ndim(c["x"]) == 4, "bernoulli_last_axis_only"),
    Clause("flat inputs (N, D): summed over the pixels as well", lambda c: np.ndim(c["x"]) == 2,
           "bernoulli_image_axes_hardcoded"),
    Clause("summed over the pixels, not averaged", lambda c: np.prod(np.shape(c["x"])[1:]) > 1,
           "bernoulli_mean_over_pixels"),
    Clause("a log-likelihood (at most 0), not the cross-entropy", lambda c: "x" in c, "bernoulli_wrong_sign"),
    Clause("the Bernoulli likelihood, not a squared error", lambda c: "x" in c, "bernoulli_squared_error"),
    Clause("x log p + (1 - x) log(1 - p) for grey values of x in (0, 1) as well", _grey,
           "bernoulli_thresholded_x", argument="x"),
)

CONTRACTIVE = (
    Clause("the penalty is the encoder's Jacobian d code / d x, not the decoder's", lambda c: "x" in c,
           "contractive_decoder_jacobian"),
    Clause("the penalty is the encoder's Jacobian, not the whole autoencoder's", lambda c: "x" in c,
           "contractive_whole_autoencoder_jacobian"),
    Clause("the squared Frobenius norm, not the norm", lambda c: float(c["weight"]) > 0,
           "contractive_norm_not_squared"),
    Clause("one loss per example, shape (N,)", lambda c: len(c["x"]) > 1, "contractive_batch_mean"),
    Clause("the sum of squared errors over the pixels, not their mean", lambda c: float(c["weight"]) == 0,
           "contractive_mean_squared_error"),
    Clause("one Jacobian per example (batch_jacobian), not the gradient of the summed code",
           lambda c: float(c["weight"]) > 0 and np.shape(c["code_kernel"])[1] > 1,
           "contractive_gradient_of_summed_code"),
    Clause("weight scales the penalty (weights 0, 0.5 and 3)", lambda c: float(c["weight"]) not in (0.0, 1.0),
           "contractive_weight_ignored", argument="weight"),
    Clause("differentiable: a gradient reaches the encoder's weights (everything kept in TensorFlow, the grade "
           "cell tapes the call)", lambda c: "hidden_kernel" in c, "contractive_numpy_result"),
    Clause("the penalty's gradient reaches the encoder's weights too (no stop_gradient on the Jacobian)",
           lambda c: float(c["weight"]) > 0, "contractive_stop_gradient_jacobian"),
)

IMPORTANCE = (
    Clause("num_samples = K draws per example, and the estimate subtracts log K",
           lambda c: int(c["num_samples"]) > 1, "importance_missing_log_k", argument="num_samples"),
    Clause("the weights are averaged (log-mean-exp), not the log weights (that is the ELBO): q broader than "
           "the posterior, K = 500", lambda c: int(c["num_samples"]) >= 500, "importance_mean_of_log_weights"),
    Clause("log weights near -1,100 nats do not underflow (tf.reduce_logsumexp)",
           lambda c: np.shape(c["x"])[1] >= 784, "importance_naive_exp"),
    Clause("log w includes the prior log N(z; 0, I)", lambda c: "x" in c, "importance_without_prior"),
    Clause("z_k ~ q = N(mu, exp(log_var)): the draws use sigma (log_var != 0)",
           lambda c: np.any(np.asarray(c["log_var"]) != 0), "importance_unit_variance_proposal",
           argument="log_var"),
    Clause("returns one estimate per example, shape (N,)", lambda c: int(c["num_samples"]) > 1,
           "importance_returns_log_weights"),
)

CLAUSES: dict[str, tuple[Clause, ...]] = {
    "conv_matrix": CONV_MATRIX,
    "gaussian_kl": GAUSSIAN_KL,
    "sample_latent": SAMPLE_LATENT,
    "bernoulli_log_likelihood": BERNOULLI,
    "contractive_loss": CONTRACTIVE,
    "importance_sampled_log_px": IMPORTANCE,
}
