"""Reference mathematics of 05_autoencoders' hidden checks, in float64 NumPy (grader side only).

Layout is channels last, as in Keras. Dimension letters: N examples, d latent
dimensions, D data dimensions (pixels), K importance samples.
"""

from __future__ import annotations

import numpy as np


def conv_matrix_reference(kernel: np.ndarray, input_shape: tuple[int, int], stride: int) -> np.ndarray:
    """The matrix A of a single-channel 2-D VALID cross-correlation (what ``tf.nn.conv2d`` computes).

    kernel: ``(KH, KW)``; input_shape: ``(H, W)``; stride: the same in both directions.
    Returns A: ``(H_out * W_out, H * W)`` with ``H_out = (H - KH) // stride + 1`` (and W
    likewise), such that ``A @ x.ravel() == conv2d(x, kernel).ravel()`` (row-major) and
    ``A.T @ y.ravel()`` is the transposed convolution of y onto an ``(H, W)`` output.
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape
    height, width = input_shape
    out_h, out_w = (height - kh) // stride + 1, (width - kw) // stride + 1
    matrix = np.zeros((out_h * out_w, height * width))
    for i in range(out_h):
        for j in range(out_w):
            window = np.zeros((height, width))
            window[i * stride:i * stride + kh, j * stride:j * stride + kw] = kernel
            matrix[i * out_w + j] = window.ravel()
    return matrix


def gaussian_kl_reference(mu: np.ndarray, log_var: np.ndarray) -> np.ndarray:
    """KL(N(mu, diag(exp(log_var))) || N(0, I)) per example: ``(N, d) -> (N,)``, in nats."""
    mu, log_var = np.asarray(mu, dtype=np.float64), np.asarray(log_var, dtype=np.float64)
    return -0.5 * np.sum(1.0 + log_var - mu ** 2 - np.exp(log_var), axis=-1)


def bernoulli_log_likelihood_reference(x: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """log p(x | logits) of independent Bernoulli pixels, summed over all but the first axis.

    x: ``(N, ...)`` in [0, 1]; logits: the same shape. Stable form:
    ``x * l - softplus(l)`` = ``x log sigmoid(l) + (1 - x) log(1 - sigmoid(l))``. Returns ``(N,)``.
    """
    x, logits = np.asarray(x, dtype=np.float64), np.asarray(logits, dtype=np.float64)
    per_pixel = x * logits - np.logaddexp(0.0, logits)
    return per_pixel.reshape(len(x), -1).sum(axis=1)


def squared_error_reference(x: np.ndarray, reconstruction: np.ndarray) -> np.ndarray:
    """Sum of squared errors per example, ``(N, ...) -> (N,)``."""
    difference = np.asarray(x, dtype=np.float64) - np.asarray(reconstruction, dtype=np.float64)
    return (difference ** 2).reshape(len(difference), -1).sum(axis=1)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def dense_autoencoder_forward(weights: dict[str, np.ndarray], x: np.ndarray) -> dict[str, np.ndarray]:
    """Forward pass of ``course_utils.models.dense_autoencoder_from_weights`` in float64, with
    its exact Jacobians.

    x: ``(N, 28, 28, 1)``. Encoder ``h = sigmoid(tanh(x W1 + b1) W2 + b2)`` (code size d),
    decoder ``x_hat = sigmoid(h W3 + b3)``. Returns the code ``(N, d)``, the reconstruction
    ``(N, 784)``, the encoder's Jacobian dh/dx ``(N, d, 784)``, the decoder's dx_hat/dh
    ``(N, 784, d)`` and the whole autoencoder's dx_hat/dx ``(N, 784, 784)``.
    """
    w = {name: np.asarray(value, dtype=np.float64) for name, value in weights.items()}
    flat = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    hidden = np.tanh(flat @ w["hidden_kernel"] + w["hidden_bias"])
    code = _sigmoid(hidden @ w["code_kernel"] + w["code_bias"])
    output = _sigmoid(code @ w["output_kernel"] + w["output_bias"])
    # dh/dx = diag(h (1 - h)) W2^T diag(1 - tanh^2) W1^T
    encoder_jacobian = np.einsum("nk,jk,nj,ij->nki", code * (1 - code), w["code_kernel"], 1 - hidden ** 2,
                                 w["hidden_kernel"])
    decoder_jacobian = np.einsum("np,kp->npk", output * (1 - output), w["output_kernel"])
    return {"code": code, "reconstruction": output, "encoder_jacobian": encoder_jacobian,
            "decoder_jacobian": decoder_jacobian,
            "autoencoder_jacobian": np.einsum("npk,nki->npi", decoder_jacobian, encoder_jacobian)}


def contractive_loss_reference(weights: dict[str, np.ndarray], x: np.ndarray, weight: float) -> np.ndarray:
    """``||x - g(f(x))||^2 + weight * ||df/dx||_F^2`` per example, ``(N,)``."""
    forward = dense_autoencoder_forward(weights, x)
    return (squared_error_reference(np.asarray(x).reshape(len(x), -1), forward["reconstruction"])
            + weight * np.sum(forward["encoder_jacobian"] ** 2, axis=(1, 2)))


# --------------------------------------------------------------------------- a linear-Gaussian toy model
def linear_gaussian_model(rng: np.random.Generator, data_dim: int, latent_dim: int,
                          sigma: float) -> dict[str, np.ndarray]:
    """p(z) = N(0, I_d), p(x | z) = N(W z + b, sigma^2 I_D), with W's columns orthogonal.

    Orthogonal columns (``W = U diag(s)``, U orthonormal) make the exact posterior
    diagonal, so that a diagonal-Gaussian q can be exactly right. Returns
    ``kernel (D, d)``, ``bias (D,)``, ``sigma ()`` as float32 arrays.
    """
    basis, _ = np.linalg.qr(rng.normal(size=(data_dim, latent_dim)))
    scales = rng.uniform(0.5, 2.0, size=latent_dim)
    return {"kernel": (basis * scales).astype(np.float32),
            "bias": rng.normal(0.0, 0.5, size=data_dim).astype(np.float32),
            "sigma": np.asarray(sigma, dtype=np.float32)}


def linear_gaussian_sample(model: dict[str, np.ndarray], rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` draws of x from the model, ``(count, D)`` float32."""
    kernel, bias, sigma = (np.asarray(model[k], dtype=np.float64) for k in ("kernel", "bias", "sigma"))
    z = rng.normal(size=(count, kernel.shape[1]))
    return (z @ kernel.T + bias + sigma * rng.normal(size=(count, kernel.shape[0]))).astype(np.float32)


def linear_gaussian_log_px(model: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Exact log p(x) = log N(x; b, W W^T + sigma^2 I), ``(N, D) -> (N,)``."""
    kernel, bias, sigma = (np.asarray(model[k], dtype=np.float64) for k in ("kernel", "bias", "sigma"))
    covariance = kernel @ kernel.T + sigma ** 2 * np.eye(kernel.shape[0])
    _, log_det = np.linalg.slogdet(covariance)
    centred = np.asarray(x, dtype=np.float64) - bias
    mahalanobis = np.einsum("ni,ni->n", centred, np.linalg.solve(covariance, centred.T).T)
    return -0.5 * (kernel.shape[0] * np.log(2 * np.pi) + log_det + mahalanobis)


def linear_gaussian_posterior(model: dict[str, np.ndarray], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The exact (diagonal) posterior p(z | x): ``mu (N, d)`` and ``log_var (N, d)``."""
    kernel, bias, sigma = (np.asarray(model[k], dtype=np.float64) for k in ("kernel", "bias", "sigma"))
    variance = 1.0 / (1.0 + np.sum(kernel ** 2, axis=0) / sigma ** 2)
    mu = variance * ((np.asarray(x, dtype=np.float64) - bias) @ kernel) / sigma ** 2
    return mu, np.broadcast_to(np.log(variance), mu.shape).copy()


def gaussian_kl_between(mu_q: np.ndarray, log_var_q: np.ndarray, mu_p: np.ndarray,
                        log_var_p: np.ndarray) -> np.ndarray:
    """KL(q || p) of two diagonal Gaussians, summed over the last axis: ``(N, d) -> (N,)``."""
    return 0.5 * np.sum(log_var_p - log_var_q + (np.exp(log_var_q) + (mu_q - mu_p) ** 2) / np.exp(log_var_p) - 1.0,
                        axis=-1)
