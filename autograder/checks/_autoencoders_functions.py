"""Hidden cases and judges of 05_autoencoders' function checks (grader side only). Each check's
clauses, the fixed case of each and the mistake that breaks it, are in :mod:`_autoencoders_contract`.

Each ``make_*`` builds hidden cases from a seeded generator: fixed edge cases that
catch the classic mistakes, whatever ``COURSE_JUDGE_SECRET`` is, plus random ones.
Each ``judge_*`` compares the student's outputs with the float64 references of
:mod:`autograder.checks._autoencoders_reference`, with tolerances scaled to the
reference's largest value (float32 arithmetic in the student's code).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks import _autoencoders_reference as ref
from autograder.verdicts.judging import Cases, Verdict
from course_utils.checks import scaled_error
from course_utils.judge import CaseResult

# float32 arithmetic, errors relative to the reference's largest |value|. Measured on the
# reference solution: conv_matrix 0 (values are copied), KL <= 2e-7, Bernoulli <= 3e-7,
# contractive <= 4e-7, reparameterisation gradients <= 1e-7: 1e-5 is 25x above the worst,
# and each mistake of the corpus is off by 1e-2 or more.
TOLERANCE = 1e-5
# The Bernoulli log-likelihood written naively, log(sigmoid(l)) + log(1 - sigmoid(l)), is right
# but loses float32 digits in 1 - sigmoid(8) = 3.4e-4: measured up to 3e-5 of the largest value.
BERNOULLI_TOLERANCE = 1e-4
# Sampling statistics of eps = (z - mu) / sigma over 4,000 x 8 draws: the standard error of
# a mean is 0.006 (of one column's 4,000: 0.016), of a standard deviation 0.004 (0.011),
# of a correlation 0.016: the bounds below are 6 standard errors or more away.
MEAN_BOUND, STD_BOUNDS, COLUMN_STD_MIN, CORRELATION_BOUND = 0.05, (0.95, 1.05), 0.9, 0.1
# Importance sampling, cases where q is the exact posterior: every log weight equals log p(x),
# so the estimate must match it to float32 rounding of sums of ~800 terms near -1,100
# (measured: <= 2e-3 nats); IS_EXACT_TOLERANCE nats relative to |log p(x)|, plus 0.01.
IS_EXACT_TOLERANCE = 1e-4
# Where q is not the posterior (variances x3, means shifted by half a posterior sd, d = 2,
# K = 2,000): the reference's mean of (estimate - log p(x)) over 64 points, over 20 seeds,
# is -0.004 to +0.001 nats (per point at worst -0.05); the mean of the log weights (the ELBO)
# is KL(q || p(z|x)) = 1.0-1.3 nats lower, a missing - log K 7.6 nats higher.
IS_BIAS_BOUNDS, IS_POINT_BOUND = (-0.15, 0.05), 0.5
# K of that case: 500, not 2,000 (2026-12-07, issue 32: an answer that loops over the K draws, as
# the corpus' importance_loop_over_samples does, took 39 s to judge at K = 2,000). The reference
# estimator in float64 on this case, 20 seeds each (the case's own draws, the estimator's from
# seed 1000 + s): K = 2,000: mean bias -0.006..+0.005 nats (sd 0.0024), worst point 0.07;
# K = 500: -0.009..+0.012 (sd 0.0051), worst point 0.15 -> 7.5 sd inside the upper bound 0.05 and
# 27 inside the lower, the worst point 0.35 inside IS_POINT_BOUND; the ELBO (mean of the log
# weights) sits at -1.13..-1.18 and a missing - log K at +6.2, both far outside (-0.15, 0.05).
IS_BROAD_SAMPLES = 500
# contractive_loss must stay differentiable (the exercise: "keep everything in TensorFlow, so that training
# can differentiate the loss"): the grade cell returns the gradients of the summed loss with respect to the
# encoder's weights, taped around the student's call, and each is judged along one fixed random direction
# against a central difference of the float64 reference. Measured (2026-12-07) on the reference solution over
# the three hidden cases: relative error <= 1e-6 per weight; with the Jacobian under tf.stop_gradient (only
# the squared error differentiated) 1e-3 to 1.5 on the cases with weight > 0, >= 3e-2 on some weight of each.
GRADIENT_TOLERANCE = 1e-4
ENCODER_WEIGHTS = ("hidden_kernel", "hidden_bias", "code_kernel", "code_bias")  # the encoder's trainable order


def _output(check_id: str, result: CaseResult, shape: tuple[int, ...], what: str,
            count: int = 1) -> tuple[np.ndarray, ...] | str:
    """The result's arrays (the first of shape ``shape``), or a message for the student."""
    if result.outputs is None:
        return f"{check_id}: your function raised {result.error}"
    if len(result.outputs) != count:
        return f"{check_id}: expected {count} returned value(s), got {len(result.outputs)}."
    value = result.outputs[0]
    if value.shape != shape:
        return f"{check_id}: returned shape {value.shape}, expected {shape} ({what})."
    if not np.all(np.isfinite(value)):
        return f"{check_id}: the result contains NaN or infinite values."
    return result.outputs


def _close(actual: np.ndarray, expected: np.ndarray, atol: float = 1e-6, tolerance: float = TOLERANCE) -> bool:
    return scaled_error(actual, expected, atol) <= tolerance


# --------------------------------------------------------------------------- conv_matrix
def make_conv_matrix_cases(rng: np.random.Generator) -> Cases:
    """1-D (H = 1) and 2-D cases, stride 1, 2 and 3, odd leftovers, stride > kernel, one output."""
    fixed = [((1, 3), (1, 7), 1), ((1, 3), (1, 8), 2), ((3, 3), (5, 5), 1), ((3, 3), (7, 6), 2),
             ((2, 2), (7, 8), 3), ((4, 3), (4, 3), 1)]
    kh, kw = rng.integers(1, 5, size=2)
    fixed.append(((int(kh), int(kw)), (int(kh + rng.integers(0, 6)), int(kw + rng.integers(0, 6))),
                  int(rng.integers(1, 4))))
    return [{"kernel": rng.normal(size=kernel).astype(np.float32), "input_shape": np.asarray(shape),
             "stride": stride} for kernel, shape, stride in fixed]


def judge_conv_matrix(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        kernel, shape, stride = case["kernel"], tuple(int(s) for s in case["input_shape"]), int(case["stride"])
        expected = ref.conv_matrix_reference(kernel, shape, stride)
        where = f"for a {kernel.shape} kernel on a {shape} input with stride {stride}"
        if result.outputs is not None and result.outputs[0].shape == expected.T.shape != expected.shape:
            return Verdict(False, f"conv_matrix: {where} you returned shape {expected.T.shape}; A has one row "
                                  f"per output pixel and one column per input pixel, {expected.shape}.")
        outputs = _output("conv_matrix", result, expected.shape,
                          f"(H_out * W_out, H * W) with H_out = (H - KH) // stride + 1, {where}")
        if isinstance(outputs, str):
            return Verdict(False, outputs)
        if not _close(outputs[0], expected):
            flipped = ref.conv_matrix_reference(kernel[::-1, ::-1], shape, stride)
            hint = ("it is the matrix of the flipped kernel: tf.nn.conv2d is a cross-correlation, place "
                    "the kernel as it is" if _close(outputs[0], flipped) else
                    "row i * W_out + j holds the kernel at rows i*stride.., columns j*stride.. of the input")
            return Verdict(False, f"conv_matrix: {where} A differs from the convolution's matrix: {hint}.")
    return Verdict(True, f"conv_matrix: right on {len(cases)} hidden kernels, shapes and strides (1-D and 2-D).")


# --------------------------------------------------------------------------- gaussian_kl
def make_gaussian_kl_cases(rng: np.random.Generator) -> Cases:
    """q = p (KL exactly 0), a far and narrow one-dimensional q, and random batches."""
    def case(mu: np.ndarray, log_var: np.ndarray) -> dict[str, np.ndarray]:
        return {"mu": mu.astype(np.float32), "log_var": log_var.astype(np.float32)}
    return [case(np.zeros((4, 3)), np.zeros((4, 3))),
            case(np.array([[5.0]]), np.array([[-4.0]])),
            case(rng.normal(0, 2, size=(16, 8)), rng.uniform(-3, 2, size=(16, 8))),
            case(rng.normal(0, 1, size=(32, 2)), rng.uniform(-1, 1, size=(32, 2)))]


def judge_gaussian_kl(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        mu, log_var = case["mu"], case["log_var"]
        expected = ref.gaussian_kl_reference(mu, log_var)
        if result.outputs is not None and result.outputs[0].shape == mu.shape != expected.shape:
            return Verdict(False, f"gaussian_kl: returned shape {mu.shape}, one value per latent dimension; "
                                  f"sum over the latent axis to get one KL per example, {expected.shape}.")
        outputs = _output("gaussian_kl", result, expected.shape, "one KL per example", count=3)
        if isinstance(outputs, str):
            return Verdict(False, outputs)
        actual, to_mu, to_log_var = outputs
        if not _close(actual, expected, atol=1e-3):
            hints = [(-expected, "it has the wrong sign: KL is never negative"),
                     (2 * expected, "it is twice the KL: the formula has a factor 1/2"),
                     (expected / mu.shape[1], "it is averaged over the latent dimensions: sum them")]
            hint = next((h for v, h in hints if _close(actual, v, atol=1e-3)),
                        "KL = -1/2 * sum_j (1 + log_var_j - mu_j^2 - exp(log_var_j))")
            return Verdict(False, f"gaussian_kl: wrong on hidden (mu, log_var) of shape {mu.shape}: {hint}.")
        # the grade cell's gradients of the summed KL (the exercise: "in TensorFlow operations"; the VAE's
        # train_step differentiates it): d/dmu = mu, d/dlog_var = (exp(log_var) - 1) / 2
        missing = [n for n, g in (("mu", to_mu), ("log_var", to_log_var)) if np.isnan(g).all()]
        if missing:
            return Verdict(False, f"gaussian_kl: no gradient reaches {' and '.join(missing)}: compute the KL with "
                                  "TensorFlow operations (no .numpy() or NumPy), so that the VAE's train_step "
                                  "can differentiate it.")
        mu64, log_var64 = mu.astype(np.float64), log_var.astype(np.float64)
        # atol 0.1: where q = p the gradients are 0 and float32 forms leave 3e-8 (measured); elsewhere they are O(1)
        if not _close(to_mu, mu64, atol=0.1) or not _close(to_log_var, 0.5 * np.expm1(log_var64), atol=0.1):
            return Verdict(False, "gaussian_kl: the gradients of the KL do not match the closed form's: "
                                  "d/dmu = mu and d/dlog_var = (exp(log_var) - 1) / 2 (nothing under stop_gradient).")
    return Verdict(True, f"gaussian_kl: matches the closed form on {len(cases)} hidden cases, 0 where q = p, "
                         "and its gradients reach mu and log_var.")


# --------------------------------------------------------------------------- bernoulli_log_likelihood
def _binary_strokes(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` binary images ``(count, 28, 28, 1)`` float32 like binarised digits: mostly 0, with
    a few thick random strokes of 1 (no dataset to load: the check stays fast)."""
    images = np.zeros((count, 28, 28), np.float32)
    for image in images:
        for _ in range(3):
            row, col = rng.integers(4, 22, size=2)
            d_row, d_col = rng.integers(-1, 2, size=2)
            for step in range(10):
                r, c = np.clip([row + d_row * step, col + d_col * step], 1, 26)
                image[r - 1:r + 2, c - 1:c + 2] = 1.0
    return images[..., None]


def make_bernoulli_cases(rng: np.random.Generator) -> Cases:
    """Binary stroke images with moderate logits, grey values in (0, 1) flattened, and logits of +-8."""
    digits = _binary_strokes(rng, 8)
    extreme = rng.integers(0, 2, size=(4, 28, 28, 1)).astype(np.float32)
    return [{"x": digits, "logits": np.clip(rng.normal(0, 3, size=digits.shape), -8, 8).astype(np.float32)},
            {"x": rng.uniform(0, 1, size=(5, 784)).astype(np.float32),
             "logits": rng.normal(0, 2, size=(5, 784)).astype(np.float32)},
            {"x": extreme, "logits": (8.0 * rng.choice([-1.0, 1.0], size=extreme.shape)).astype(np.float32)}]


def judge_bernoulli(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        x, logits = case["x"], case["logits"]
        expected = ref.bernoulli_log_likelihood_reference(x, logits)
        outputs = _output("bernoulli_log_likelihood", result, expected.shape, "one log-likelihood per example")
        if isinstance(outputs, str):
            return Verdict(False, outputs)
        actual = outputs[0]
        if not _close(actual, expected, tolerance=BERNOULLI_TOLERANCE):
            pixels = int(np.prod(x.shape[1:]))
            squared = ref.squared_error_reference(x, 1.0 / (1.0 + np.exp(-logits.astype(np.float64))))
            hints = [(-expected, "it has the wrong sign: a log-likelihood is <= 0 (it is minus the cross-entropy)"),
                     (expected / pixels, "it is averaged over the pixels: sum them"),
                     (-squared, "it is a squared error: use x log sigmoid(l) + (1 - x) log(1 - sigmoid(l))")]
            hint = next((h for v, h in hints if _close(actual, v, tolerance=BERNOULLI_TOLERANCE)),
                        "sum over pixels of x log sigmoid(l) + (1 - x) log(1 - sigmoid(l)), from the logits l")
            return Verdict(False, f"bernoulli_log_likelihood: wrong on hidden x of shape {x.shape}: {hint}.")
    return Verdict(True, "bernoulli_log_likelihood: matches on binary images, grey values and logits of +-8.")


# --------------------------------------------------------------------------- sample_latent
def make_sample_latent_cases(rng: np.random.Generator) -> Cases:
    """Many draws (for the statistics of the noise) and one tiny case; the grade cell calls
    ``sample_latent`` twice on each (fresh noise at every call)."""
    def case(shape: tuple[int, int]) -> dict[str, np.ndarray]:
        return {"mu": rng.normal(0, 1, size=shape).astype(np.float32),
                "log_var": rng.uniform(-2, 2, size=shape).astype(np.float32),
                "cotangent": rng.normal(0, 1, size=shape).astype(np.float32)}
    return [case((4000, 8)), case((3, 1))]


def _noise_problem(noise: np.ndarray) -> str | None:
    """Why the implied eps = (z - mu) / sigma is not independent N(0, 1) noise, or None."""
    mean, std = float(noise.mean()), float(noise.std())
    if abs(mean) > MEAN_BOUND or not STD_BOUNDS[0] <= std <= STD_BOUNDS[1]:
        return (f"(z - mu) / sigma has mean {mean:.3f} and standard deviation {std:.3f}; it must be standard "
                "normal noise: z = mu + exp(0.5 * log_var) * eps with eps ~ N(0, 1)")
    if float(noise.std(axis=0).min()) < COLUMN_STD_MIN:
        return "every example gets the same noise: draw eps of the shape of mu, one value per example and dimension"
    if abs(float(np.corrcoef(noise[:, 0], noise[:, 1])[0, 1])) > CORRELATION_BOUND:
        return "the latent dimensions share their noise: draw eps of the shape of mu"
    return None


def judge_sample_latent(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        mu, log_var, cotangent = (np.asarray(case[k], dtype=np.float64) for k in ("mu", "log_var", "cotangent"))
        outputs = _output("sample_latent", result, mu.shape, "z of the shape of mu", count=4)
        if isinstance(outputs, str):
            return Verdict(False, outputs)
        z, to_mu, to_log_var, z_again = outputs
        if np.isnan(to_mu).all() or np.isnan(to_log_var).all():
            missing = " and ".join(n for n, g in (("mu", to_mu), ("log_var", to_log_var)) if np.isnan(g).all())
            return Verdict(False, f"sample_latent: no gradient reaches {missing}: the sample must be computed "
                                  "from mu and log_var with TensorFlow operations (the reparameterisation "
                                  "z = mu + exp(0.5 * log_var) * eps), not drawn with NumPy or stop_gradient.")
        if z_again.shape == z.shape and np.array_equal(z_again, z):
            return Verdict(False, "sample_latent: two calls on the same mu and log_var returned the same z: the "
                                  "noise must be fresh at every call. A fixed seed (keras.random.normal(shape, "
                                  "seed=1234), a stateless op) draws the same eps each time; draw without a seed, "
                                  "or with a keras.random.SeedGenerator made once outside the function.")
        if len(mu) > 100:
            problem = _noise_problem((z - mu) / np.exp(0.5 * log_var))
            if problem:
                return Verdict(False, f"sample_latent: {problem}.")
        if not _close(to_mu, cotangent) or not _close(to_log_var, 0.5 * cotangent * (z - mu)):
            return Verdict(False, "sample_latent: the gradients of z do not match z = mu + sigma * eps: dz/dmu "
                                  "must be 1 and dz/dlog_var = 0.5 * sigma * eps, with sigma = exp(0.5 * log_var).")
    return Verdict(True, "sample_latent: the noise is standard normal and the gradient reaches mu and log_var.")


# --------------------------------------------------------------------------- contractive_loss
def _dense_autoencoder(rng: np.random.Generator, hidden: int = 32, code: int = 8) -> dict[str, np.ndarray]:
    """Weights of ``models.dense_autoencoder_from_weights``, scaled so no sigmoid saturates."""
    shapes = {"hidden_kernel": ((784, hidden), 0.05), "hidden_bias": ((hidden,), 0.1),
              "code_kernel": ((hidden, code), 0.4), "code_bias": ((code,), 0.1),
              "output_kernel": ((code, 784), 0.5), "output_bias": ((784,), 0.1)}
    return {name: rng.normal(0, scale, size=shape).astype(np.float32) for name, (shape, scale) in shapes.items()}


def make_contractive_cases(rng: np.random.Generator) -> Cases:
    """Binary stroke images and noise images, with the penalty weighted 0.5, 3 and 0."""
    digits = _binary_strokes(rng, 6)
    noise = rng.uniform(0, 1, size=(4, 28, 28, 1)).astype(np.float32)
    return [{**_dense_autoencoder(rng), "x": digits, "weight": 0.5},
            {**_dense_autoencoder(rng, 16, 4), "x": noise, "weight": 3.0},
            {**_dense_autoencoder(rng), "x": digits[:2], "weight": 0.0}]


def judge_contractive(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        weights = {k: v for k, v in case.items() if k not in ("x", "weight")}
        x, weight = case["x"], float(case["weight"])
        expected = ref.contractive_loss_reference(weights, x, weight)
        outputs = _output("contractive_loss", result, expected.shape, "one loss per example",
                          count=1 + len(ENCODER_WEIGHTS))
        if isinstance(outputs, str):
            return Verdict(False, outputs)
        actual, gradients = outputs[0], dict(zip(ENCODER_WEIGHTS, outputs[1:]))
        if not _close(actual, expected):
            forward = ref.dense_autoencoder_forward(weights, x)
            error = ref.squared_error_reference(x.reshape(len(x), -1), forward["reconstruction"])
            hints = [("decoder_jacobian", "it penalises the decoder's Jacobian; the contractive penalty is the "
                                          "encoder's, d code / d x"),
                     ("autoencoder_jacobian", "it penalises the Jacobian of the whole autoencoder; the "
                                              "contractive penalty is the encoder's, d code / d x")]
            hint = next((h for key, h in hints
                         if _close(actual, error + weight * np.sum(forward[key] ** 2, axis=(1, 2)))),
                        "per example: sum of squared errors + weight * squared Frobenius norm of the encoder's "
                        "Jacobian (tf.GradientTape.batch_jacobian of the code with respect to x)")
            return Verdict(False, f"contractive_loss: wrong on a hidden autoencoder (weight = {weight:g}): {hint}.")
        problem = _contractive_gradient_problem(weights, x, weight, gradients)
        if problem:
            return Verdict(False, f"contractive_loss: on a hidden autoencoder (weight = {weight:g}) {problem}.")
    return Verdict(True, "contractive_loss: matches the exact Jacobian penalty of hidden dense encoders, and "
                         "its gradient with respect to the encoder's weights.")


def _contractive_gradient_problem(weights: dict[str, np.ndarray], x: np.ndarray, weight: float,
                                  gradients: dict[str, np.ndarray]) -> str | None:
    """Why the gradients of the summed loss with respect to the encoder's weights are not the reference's, or None."""
    missing = [name for name, gradient in gradients.items() if np.isnan(gradient).all()]
    if missing:
        return (f"no gradient reaches the encoder's weights ({', '.join(missing)}): keep the loss in TensorFlow "
                "(no .numpy(), np.asarray or NumPy functions) so that training can differentiate it")
    directions = np.random.default_rng(0)
    for name, gradient in gradients.items():
        if gradient.shape != weights[name].shape or not np.all(np.isfinite(gradient)):
            return f"the gradient with respect to the encoder's {name} has shape {gradient.shape} or is not finite"
        direction = directions.normal(size=gradient.shape)
        step = 1e-4 * max(float(np.max(np.abs(weights[name]))), 1e-3) / float(np.max(np.abs(direction)))
        shifted = [{**weights, name: np.asarray(weights[name], np.float64) + sign * step * direction}
                   for sign in (1.0, -1.0)]
        expected = (ref.contractive_loss_reference(shifted[0], x, weight).sum()
                    - ref.contractive_loss_reference(shifted[1], x, weight).sum()) / (2 * step)
        if abs(float(np.sum(gradient * direction)) - expected) > GRADIENT_TOLERANCE * max(abs(expected), 1.0):
            return (f"the gradient with respect to the encoder's {name} is not the loss's: the penalty must be "
                    "differentiated too (no tf.stop_gradient on the Jacobian, nothing computed outside TensorFlow)")
    return None


# --------------------------------------------------------------------------- importance sampling
def make_importance_cases(rng: np.random.Generator) -> Cases:
    """Linear-Gaussian models: q = the exact posterior (K = 1 and, near log p = -1,100, K = 20),
    and a broader, shifted q with K = IS_BROAD_SAMPLES (the estimate must approach log p(x))."""
    small = ref.linear_gaussian_model(rng, 30, 2, 0.5)
    x_small = ref.linear_gaussian_sample(small, rng, 64)
    mu, log_var = ref.linear_gaussian_posterior(small, x_small)
    large = ref.linear_gaussian_model(rng, 784, 4, 1.0)
    x_large = ref.linear_gaussian_sample(large, rng, 8)
    mu_large, log_var_large = ref.linear_gaussian_posterior(large, x_large)

    def case(model: dict[str, np.ndarray], x: np.ndarray, mean: np.ndarray, variance_log: np.ndarray,
             samples: int) -> dict[str, Any]:
        return {**model, "x": x, "mu": mean.astype(np.float32), "log_var": variance_log.astype(np.float32),
                "num_samples": samples}
    return [case(small, x_small, mu, log_var, 1), case(large, x_large, mu_large, log_var_large, 20),
            case(small, x_small, mu + 0.5 * np.exp(0.5 * log_var), log_var + np.log(3.0),
                 IS_BROAD_SAMPLES)]


def judge_importance(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        model = {k: case[k] for k in ("kernel", "bias", "sigma")}
        log_px = ref.linear_gaussian_log_px(model, case["x"])
        samples = int(case["num_samples"])
        outputs = _output("importance_sampled_log_px", result, log_px.shape, "one estimate per example")
        if isinstance(outputs, str):
            hint = (" With log weights near -1,000, exp underflows: use a log-sum-exp "
                    "(tf.reduce_logsumexp) and subtract log K." if "NaN or infinite" in outputs else "")
            return Verdict(False, outputs + hint)
        difference = outputs[0] - log_px
        exact = bool(np.allclose(case["mu"], ref.linear_gaussian_posterior(model, case["x"])[0], atol=1e-5))
        if exact:
            bound = IS_EXACT_TOLERANCE * float(np.max(np.abs(log_px))) + 0.01
            if float(np.max(np.abs(difference))) > bound:
                return Verdict(False, f"importance_sampled_log_px: with q equal to the exact posterior every "
                                      f"weight p(x, z) / q(z | x) equals p(x), so the estimate must be log p(x) for "
                                      f"any K (here K = {samples}); yours is off by up to "
                                      f"{float(np.max(np.abs(difference))):.3g} nats. log w = log p(x | z) + "
                                      "log N(z; 0, I) - log N(z; mu, sigma^2), both Gaussian log-densities with "
                                      "their -1/2 log(2 pi) terms; estimate = logsumexp_k(log w_k) - log K.")
            continue
        bias = float(difference.mean())
        if not IS_BIAS_BOUNDS[0] <= bias <= IS_BIAS_BOUNDS[1] or float(np.max(np.abs(difference))) > IS_POINT_BOUND:
            posterior = ref.linear_gaussian_posterior(model, case["x"])
            gap = float(np.mean(ref.gaussian_kl_between(case["mu"], case["log_var"], *posterior)))
            hint = (f"that is about the ELBO (log p(x) - KL(q || p(z|x)) = log p(x) - {gap:.2f}): average the "
                    "weights, not the log weights: logsumexp_k(log w_k) - log K" if abs(bias + gap) < 0.3 else
                    "did you subtract log K?" if abs(bias - np.log(samples)) < 0.3 else
                    "estimate = logsumexp_k(log w_k) - log K, z_k drawn from q = N(mu, exp(log_var))")
            return Verdict(False, f"importance_sampled_log_px: on a toy model whose log p(x) is known, with "
                                  f"K = {samples} samples from a q broader than the posterior, your estimate "
                                  f"is {bias:+.3f} nats from log p(x) on average: {hint}.")
    return Verdict(True, "importance_sampled_log_px: exact when q is the posterior, and within "
                         f"{IS_BIAS_BOUNDS[0]:g}..{IS_BIAS_BOUNDS[1]:g} nats of log p(x) with K = {IS_BROAD_SAMPLES:,} otherwise.")
