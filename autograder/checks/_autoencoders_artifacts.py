"""The artifact checks of 05_autoencoders: bars, the grader's data and the measurements of the
denoising autoencoder and the two VAEs (the served checks that ask for them are in
:mod:`autograder.checks._autoencoders_served`; the functions on live models here serve the
benchmarks and the model process alike, so both measure the same way).

Contracts (see the notebook). ``denoising_ae.keras``: ``(N, 28, 28, 1)`` noisy images in
[0, 1] -> ``(N, 28, 28, 1)`` clean images in [0, 1]. ``vae_latent2.keras`` and
``vae_latent16.keras``: made by ``course_utils.models.bundle_vae``, holding an ``encoder``
``(N, 28, 28, 1) -> [mu (N, d), log_var (N, d)]`` and a ``decoder`` ``(N, d) -> logits
(N, 28, 28, 1)`` of a Bernoulli likelihood, on stochastically binarised MNIST.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.checks import _autoencoders_reference as ref

IMAGE_SHAPE = (28, 28, 1)
NOISE_STD = 0.5  # the notebook's corruption: clip(x + 0.5 * N(0, 1), 0, 1)
NOISE_SEED = 5_2016  # the grader's own noise and binarisation draws (hidden: not the notebook's)
EVAL_IMAGES = {"full": 10_000, "smoke": 2_000}  # the first MNIST test images
EVAL_BATCH_SIZE = 500

# --------------------------------------------------------------------------- bars
# Measured by benchmarks/autoencoders_reference.py with the grader's own functions below
# (benchmarks/results/autoencoders_reference_smoke.json: 2-core CPU, 2026-12-02, the notebook's
# SEED = 1234; one seed only, so the margins are argued from the gaps between variants).
# Denoising: mean squared error per pixel between the model's output for hidden noisy test
# images and the clean images, smoke profile (first 2,000 test images):
#   the notebook's denoising AE (2,000 training images, 6 epochs)        0.0258
#   a 1,024-unit code (wider than the input) trained to copy clean images 0.0591
#   the same convolutional AE trained on clean inputs                     0.0626
#   the identity (copies its noisy input)                                 0.1154
#   -> smoke <= 0.040: 0.014 above the reference, 0.019 below the wide copier.
#   Full profile (all 10,000 test images; benchmarks/results/autoencoders_reference_full.json,
#   2-core CPU, 2026-12-02): the reference (60,000 images, 10 epochs) 0.0119, the wide copier
#   0.0328, the clean-trained AE 0.0742, the identity 0.1155. The copier passed the earlier
#   provisional bar of 0.035, so -> full <= 0.020: 0.008 above the reference, 0.013 below the copier.
# Smoke, on honest variants (benchmarks/honest_variants_vae.py -> results/honest_variants_smoke.json,
# 2-core CPU at load ~5-10, 2026-12-07): the notebook's denoiser 0.0249, seeds 1 and 2 0.0322 and 0.0341,
# a wider autoencoder (32 and 64 filters) 0.0213 -> honest 0.0213-0.0341; mistakes: the wide copier
# 0.0562, the clean-trained AE 0.0600, the identity 0.1154. The old bar of 0.040 left seed 2 only 0.006,
# so -> smoke <= 0.045: 0.011 above the worst honest seed, 0.011 below the wide copier. Full: one seed.
DENOISING_MAX_MSE = {"full": 0.020, "smoke": 0.045}
# VAE negative ELBO, nats per test image (one reparameterised sample for the reconstruction
# term + closed-form KL, on the grader's binarisation). Full bars from issue 12 (latent 2
# <= 160, latent 16 <= 105), measured on all 10,000 test images (2-core CPU, 2026-12-02;
# 30 epochs on the 60,000 training images, 132 s and 284 s of training):
#                                        latent 2   latent 16
#   the notebook's VAE                     142.1       98.0   (importance-sampled NLL 138.4, 92.3)
#   squared error instead of Bernoulli     143.9      108.3
#   -> full latent 16 <= 105 rejects the squared-error VAE by 3.3 nats and leaves the reference
#   7.0; at latent 2 the two are 1.9 nats apart, so there again the function check decides.
# Smoke (first 2,000 test images):
#                                        latent 2   latent 16
#   the notebook's VAE (20 epochs)         170.1      130.3
#   squared error instead of Bernoulli     173.5      145.8
#   untrained (same architecture, SEED 1234) 544        548
#   -> smoke latent 2 <= 185 (+15 over the reference; the squared-error VAE cannot be told
#   apart at latent 2 in smoke: 3.4 nats, so the bernoulli_log_likelihood function check is
#   what catches it).
# Latent 16, smoke, on honest variants (benchmarks/honest_variants.py ->
# benchmarks/results/honest_variants_smoke.json, 2-core CPU at load ~20, 2026-12-07):
#   honest: the notebook's VAE 130.9 (epochs 18-20: 132.7, 131.6, 130.9), seeds 1 and 2 132.8 and
#   132.0, one hidden layer of 500 units 127.4, RMSprop instead of Adam 138.3 -> 127.4-138.3;
#   mistakes: squared error 145.2, KL dropped 547.9, untrained 547.8 -> 145.2-547.9.
#   The bar of 140 left RMSprop only 1.7 nats, so -> smoke latent 16 <= 142: 3.7 above the worst honest
#   variant, 3.2 below the squared-error VAE. keras.io's convolutional VAE (16-unit dense layer) collapses
#   its posterior in smoke's 625 steps (KL 0.01, 209.5 nats, prior samples score 1.01): it has not learnt
#   a VAE, and no ELBO bar that rejects the untrained network could pass it.
# Latent 16, full, on honest variants (benchmarks/results/honest_variants_full.json, 2-core CPU at load
# ~20, 2026-12-07): RMSprop instead of Adam 100.4 (2.3 nats over the reference, not the 6 that smoke
# suggested), seed 1 98.1, one hidden layer of 500 units 100.8; with the reference's 98.0 above -> honest
# 98.0-100.8, mistakes from 108.3 (squared error) up. The full bar of 105 stays: 4.2 nats above the worst
# honest variant, 3.3 below the squared-error VAE. Seed 2 and keras.io's convolutional VAE are not yet
# measured in full (about 5 and 15 min on an idle 2-core CPU; 15-25 min and more at that load).
# Latent 2, smoke, on honest variants (benchmarks/honest_variants_vae.py, same record, load ~10-15,
# 2026-12-07): the notebook's VAE 170.6 (epochs 11-20: 170.2-175.9), seeds 1 and 2 169.6 and 171.7,
# RMSprop 171.7, one hidden layer of 500 units 173.6, keras.io's convolutional VAE 173.2 -> honest
# 169.6-173.6 (175.9 the worst late epoch); mistakes: squared error 173.3 (inside: caught at latent 16 and
# by the bernoulli_log_likelihood check), KL dropped 268.5, untrained 544.2. The bar of 185 sits 9.1 nats
# above the worst honest epoch and 83.5 below the KL-free VAE. Latent 2 in full: not yet measured.
VAE_MAX_NEG_ELBO = {2: {"full": 160.0, "smoke": 185.0}, 16: {"full": 105.0, "smoke": 142.0}}
# Prior samples of the latent-16 VAE: z ~ N(0, I) with the grader's seed, decoded to Bernoulli
# means sigmoid(logits), judged by the course's MNIST classifier (course_utils.evaluation):
# its mean top-class probability (do the samples look like some digit?) and its classifier
# score (are they spread over the digits?). Bars and their measured values: PRIOR_BARS below.
PRIOR_SAMPLES = {"full": 1_000, "smoke": 500}
PRIOR_SEED = NOISE_SEED + 2
PRIOR_LATENT_DIM = 16


@dataclass(frozen=True)
class PriorBars:
    """The bars of one profile: mean top-class probability at least, classifier score at least."""

    min_confidence: float
    min_score: float


# Measured by benchmarks/autoencoders_reference.py (2-core CPU, 2026-12-02, SEED 1234, one seed;
# full: 1,000 samples, smoke: 500):         mean confidence   classifier score
#   full  the notebook's VAE (30 epochs)          0.854              6.52
#         squared error instead of Bernoulli      0.901              7.48  (the ELBO bar rejects it)
#         trained without the KL term             0.516              1.45
#         untrained                               0.150              1.00
#   smoke the notebook's VAE (20 epochs)          0.739              4.45
#         squared error instead of Bernoulli      0.736              4.41  (the function check rejects it)
#         trained without the KL term             0.379              1.60
#         untrained                               0.150              1.00
#   -> full >= 0.70 and >= 4.0 (0.15 and 2.5 below the reference, 0.18 and 2.5 above the VAE without
#   KL); smoke >= 0.55 and >= 3.0 (0.19 and 1.45 below the reference, 0.17 and 1.4 above it). The
#   score bar also stops a decoder that draws one digit whatever z is (score about 1).
PRIOR_BARS = {"full": PriorBars(min_confidence=0.70, min_score=4.0),
              "smoke": PriorBars(min_confidence=0.55, min_score=3.0)}


@functools.lru_cache(maxsize=None)
def test_images(profile: str) -> np.ndarray:
    """The first :data:`EVAL_IMAGES` MNIST test images as float32 in [0, 1], ``(N, 28, 28, 1)``."""
    from course_utils import data

    images, _ = data.load_numpy("mnist", "test", limit=EVAL_IMAGES["full" if profile == "full" else "smoke"])
    return images.astype(np.float32) / np.float32(255.0)


def noisy(images: np.ndarray) -> np.ndarray:
    """The grader's corruption of ``images``: ``clip(x + NOISE_STD * N(0, 1), 0, 1)`` with its own seed."""
    noise = np.random.default_rng(NOISE_SEED).normal(size=images.shape).astype(np.float32)
    return np.clip(images + NOISE_STD * noise, 0.0, 1.0)


def binarised(images: np.ndarray) -> np.ndarray:
    """Stochastic binarisation with the grader's seed: each pixel is 1 with probability its grey value."""
    return (np.random.default_rng(NOISE_SEED).uniform(size=images.shape) < images).astype(np.float32)


def _predict(model: Any, images: np.ndarray) -> list[np.ndarray]:
    """All outputs of ``model`` on ``images``, batch by batch, as float64 arrays."""
    parts: list[list[np.ndarray]] = []
    for start in range(0, len(images), EVAL_BATCH_SIZE):
        outputs = model(images[start:start + EVAL_BATCH_SIZE], training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        parts.append([np.asarray(o, dtype=np.float64) for o in outputs])
    return [np.concatenate(column) for column in zip(*parts)]


def denoising_error(model: Any, profile: str) -> float:
    """Mean squared error per pixel of ``model(noisy(x))`` against the clean test images ``x``."""
    clean = test_images(profile)
    return float(np.mean((_predict(model, noisy(clean))[0] - clean) ** 2))


def elbo_noise(count: int, latent_dim: int) -> np.ndarray:
    """The grader's eps ``(count, latent_dim)`` float64 for the reparameterised sample of the ELBO."""
    return np.random.default_rng(NOISE_SEED + 1).normal(size=(count, latent_dim))


def elbo_outputs(encoder: Any, decoder: Any, x: np.ndarray, eps: np.ndarray | None = None) -> np.ndarray:
    """``[mu, log_var, logits]`` ``(N, 2 d + 784)`` float64 for images ``x (N, 28, 28, 1)``, the logits
    decoded from ``z = mu + exp(log_var / 2) * eps`` (eps: the grader's, :func:`elbo_noise`, by default)."""
    mu, log_var = _predict(encoder, x)[:2]
    eps = elbo_noise(*mu.shape) if eps is None else eps
    z = (mu + np.exp(0.5 * log_var) * eps).astype(np.float32)
    logits = _predict(decoder, z)[0]
    return np.concatenate([mu, log_var, logits.reshape(len(x), -1)], axis=1)


def elbo_terms(x: np.ndarray, outputs: np.ndarray, latent_dim: int) -> dict[str, float]:
    """Negative ELBO in nats per image of ``x (N, 28, 28, 1)`` and its two terms, from
    :func:`elbo_outputs`' ``(N, 2 d + 784)`` (one reparameterised sample for -E_q[log p(x | z)], the
    Gaussian KL in closed form)."""
    mu, log_var, logits = outputs[:, :latent_dim], outputs[:, latent_dim:2 * latent_dim], outputs[:, 2 * latent_dim:]
    reconstruction = -ref.bernoulli_log_likelihood_reference(x, logits.reshape(x.shape))
    kl = ref.gaussian_kl_reference(mu, log_var)
    return {"negative_elbo": float(np.mean(reconstruction + kl)), "reconstruction": float(np.mean(reconstruction)),
            "kl": float(np.mean(kl))}


def negative_elbo(encoder: Any, decoder: Any, profile: str) -> dict[str, float]:
    """Negative ELBO in nats per binarised test image, with its two terms (models loaded here: benchmarks)."""
    x = binarised(test_images(profile))
    outputs = elbo_outputs(encoder, decoder, x)
    return elbo_terms(x, outputs, (outputs.shape[1] - 784) // 2)


def prior_codes(latent_dim: int, profile: str) -> np.ndarray:
    """The grader's prior codes z ~ N(0, I), ``(PRIOR_SAMPLES[profile], latent_dim)`` float32."""
    count = PRIOR_SAMPLES["full" if profile == "full" else "smoke"]
    return np.random.default_rng(PRIOR_SEED).normal(size=(count, latent_dim)).astype(np.float32)


def decode(decoder: Any, z: np.ndarray) -> np.ndarray:
    """The decoder's logits for codes ``z (N, d)``, flattened to ``(N, 784)`` float64."""
    return _predict(decoder, z)[0].reshape(len(z), -1)


def as_samples(logits: np.ndarray) -> np.ndarray:
    """Bernoulli means ``sigmoid(logits)`` as images ``(N, 28, 28, 1)`` float32 (no overflow)."""
    return (0.5 * (1.0 + np.tanh(0.5 * logits.reshape(len(logits), *IMAGE_SHAPE)))).astype(np.float32)


def prior_samples(decoder: Any, latent_dim: int, profile: str) -> np.ndarray:
    """Decoded prior samples: Bernoulli means ``sigmoid(decoder(z))`` ``(N, 28, 28, 1)``, z ~ N(0, I) (grader's seed)."""
    return as_samples(decode(decoder, prior_codes(latent_dim, profile)))


def sample_quality(samples: np.ndarray) -> dict[str, float]:
    """What the course classifier makes of ``samples (N, 28, 28, 1)``: the mean of its top-class
    probability, its classifier score (1 to 10), and the largest share of samples given one class."""
    from course_utils import evaluation

    probabilities = evaluation.class_probabilities(samples)
    shares = np.bincount(probabilities.argmax(axis=1), minlength=10) / len(samples)
    return {"mean_confidence": float(probabilities.max(axis=1).mean()),
            "classifier_score": evaluation.classifier_score(samples), "largest_class_share": float(shares.max())}


def prior_sample_quality(decoder: Any, latent_dim: int, profile: str) -> dict[str, float]:
    """:func:`sample_quality` of the decoded prior samples (decoder loaded here: benchmarks)."""
    return sample_quality(prior_samples(decoder, latent_dim, profile))
