"""Reference answers for the function checks of 06_gans, in float64 NumPy (grader side only).

Logits are the discriminator's raw scores ``l`` with ``D = sigmoid(l)``; every log of a
sigmoid is written with ``logaddexp`` so that logits of any size stay finite:
``-log sigmoid(l) = softplus(-l) = logaddexp(0, -l)`` and ``-log(1 - sigmoid(l)) = softplus(l)``.
Densities on a grid are arrays ``(M,)`` sampled with spacing ``dx``; integrals are
Riemann sums, with ``0 log 0 = 0``.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def softplus(logits: Any) -> np.ndarray:
    """``log(1 + exp(l))`` elementwise, finite for any ``l``."""
    return np.logaddexp(0.0, np.asarray(logits, dtype=np.float64))


def discriminator_loss(real_logits: Any, fake_logits: Any) -> float:
    """``-mean log D(x) - mean log(1 - D(G(z)))`` for logits ``(N,)``/``(N, 1)`` and ``(M,)``/``(M, 1)``."""
    return float(np.mean(softplus(-np.asarray(real_logits))) + np.mean(softplus(fake_logits)))


def saturating_generator_loss(fake_logits: Any) -> float:
    """The minimax generator loss ``mean log(1 - D(G(z)))`` (minimised by G), ``= -mean softplus(l)``."""
    return float(-np.mean(softplus(fake_logits)))


def non_saturating_generator_loss(fake_logits: Any) -> float:
    """The non-saturating generator loss ``-mean log D(G(z))`` ``= mean softplus(-l)``."""
    return float(np.mean(softplus(-np.asarray(fake_logits, dtype=np.float64))))


def gaussian_log_density(x: Any, mean: float, std: float) -> np.ndarray:
    """``log N(x; mean, std^2)`` elementwise."""
    x = np.asarray(x, dtype=np.float64)
    return -0.5 * ((x - mean) / std) ** 2 - np.log(std) - 0.5 * np.log(2.0 * np.pi)


def optimal_discriminator(x: Any, data_mean: float, data_std: float, model_mean: float, model_std: float) -> np.ndarray:
    """``D*(x) = p_data / (p_data + p_model)`` for two 1-D Gaussians, as ``sigmoid(log p_data - log p_model)``."""
    log_odds = gaussian_log_density(x, data_mean, data_std) - gaussian_log_density(x, model_mean, model_std)
    return 0.5 * (1.0 + np.tanh(0.5 * log_odds))


def _plogp_ratio(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``p log(p / q)`` elementwise with ``0 log 0 = 0`` (``q > 0`` wherever ``p > 0``)."""
    safe = np.where(p > 0, p, 1.0)
    return np.where(p > 0, p * (np.log(safe) - np.log(np.where(p > 0, q, 1.0))), 0.0)


def jensen_shannon(p: Any, q: Any, dx: float) -> float:
    """``JSD(p || q) = 1/2 KL(p || m) + 1/2 KL(q || m)``, ``m = (p + q) / 2``, in nats, on a grid."""
    p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
    m = 0.5 * (p + q)
    return float(0.5 * np.sum(_plogp_ratio(p, m)) * dx + 0.5 * np.sum(_plogp_ratio(q, m)) * dx)


def value_at_optimum(p: Any, q: Any, dx: float) -> float:
    """``V(G, D*) = E_p log D* + E_q log(1 - D*)`` with ``D* = p / (p + q)``, on a grid."""
    p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
    return float(np.sum(_plogp_ratio(p, p + q)) * dx + np.sum(_plogp_ratio(q, p + q)) * dx)


# --------------------------------------------------------------------------- the hidden critic
def critic_weights(rng: np.random.Generator, features: int, hidden: int) -> dict[str, np.ndarray]:
    """A random two-layer tanh critic on flattened inputs: ``w1 (F, H)``, ``b1 (H,)``, ``w2 (H, 1)``, ``b2 (1,)``.

    tanh rather than ReLU so that its input gradient changes smoothly from point to point:
    a penalty taken at the wrong points (real or fake images instead of interpolates) then
    has a different value, not the same piecewise-constant one.
    """
    return {"w1": rng.normal(0.0, 1.5 / np.sqrt(features), size=(features, hidden)).astype(np.float32),
            "b1": rng.normal(0.0, 0.5, size=hidden).astype(np.float32),
            "w2": rng.normal(0.0, 1.0 / np.sqrt(hidden), size=(hidden, 1)).astype(np.float32),
            "b2": rng.normal(0.0, 0.1, size=1).astype(np.float32)}


def critic_input_gradient(weights: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """``d critic(x) / dx`` for every sample, of the shape of ``x`` ``(N, ...)``, in closed form."""
    w1, b1 = np.asarray(weights["w1"], np.float64), np.asarray(weights["b1"], np.float64)
    w2 = np.asarray(weights["w2"], np.float64)
    flat = np.asarray(x, np.float64).reshape(len(x), -1)
    hidden = np.tanh(flat @ w1 + b1)
    return (((1.0 - hidden ** 2) * w2[:, 0]) @ w1.T).reshape(np.shape(x))


def penalty_at(weights: dict[str, Any], points: np.ndarray) -> float:
    """``mean_i (||grad critic(points_i)||_2 - 1)^2``."""
    norms = np.linalg.norm(critic_input_gradient(weights, points).reshape(len(points), -1), axis=1)
    return float(np.mean((norms - 1.0) ** 2))


def interpolates(real: Any, fake: Any, epsilon: Any) -> np.ndarray:
    """``epsilon * real + (1 - epsilon) * fake`` with ``epsilon (N,)`` broadcast over each sample."""
    real, fake = np.asarray(real, np.float64), np.asarray(fake, np.float64)
    weight = np.asarray(epsilon, np.float64).reshape((len(real),) + (1,) * (real.ndim - 1))
    return weight * real + (1.0 - weight) * fake


def gradient_penalty(weights: dict[str, Any], real: Any, fake: Any, epsilon: Any) -> float:
    """Gulrajani et al.'s penalty ``mean (||grad D(x_hat)||_2 - 1)^2`` at the interpolates ``x_hat``."""
    return penalty_at(weights, interpolates(real, fake, epsilon))
