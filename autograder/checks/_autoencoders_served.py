"""The served artifact checks of 05_autoencoders (:mod:`autograder.verdicts.served`): each saved
model is loaded in a process of its own that holds no data, and answers the grader's questions;
the grader, which holds the clean test images, computes the error, the ELBO and the evaluation
classifier's verdict (bars and measurements: :mod:`autograder.checks._autoencoders_artifacts`).

Questions, by file:

- ``denoising_ae.keras``: ``noisy`` ``(N, 28, 28, 1)``, the grader's corruption of the test images
  -> the model's images ``(N, 28, 28, 1)``; the clean images never leave the grader.
- ``vae_latent<d>.keras``: ``elbo`` ``(N, 784 + d)`` float64, the grader's binarisation of the test
  images beside its noise eps -> ``[mu, log_var, logits]`` ``(N, 2 d + 784)``, the model process
  computing ``z = mu + exp(log_var / 2) * eps`` between encoder and decoder as the in-process
  measurement does; ``zeros`` ``(2, d)`` -> the decoder's logits ``(2, 784)`` (are they
  probabilities? a hint only); for ``d = 16`` also ``prior`` ``(M, 16)``, the grader's prior codes
  -> logits ``(M, 784)``. ``vae_latent16`` and ``vae_prior_samples`` judge one file with the same
  questions and the same ``load`` and ``predict``: one model process answers both.

The contract (shapes of the encoder's and decoder's outputs) is checked where the model loads, on
zeros: shapes do not depend on the pixels, and the model process holds no test image.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

import numpy as np

from autograder.checks._autoencoders_artifacts import (
    DENOISING_MAX_MSE, IMAGE_SHAPE, NOISE_STD, PRIOR_BARS, PRIOR_LATENT_DIM, PRIOR_SAMPLES, VAE_MAX_NEG_ELBO, _predict,
    as_samples, binarised, decode, elbo_noise, elbo_outputs, elbo_terms, noisy, prior_codes, sample_quality,
    test_images)
from autograder.verdicts.judging import Verdict
from autograder.verdicts.served import Answers, InProcessModel, ModelLoadError, ModelQuery, Served

PIXELS = 784


def _load_artifact(path: Path) -> Any:
    from course_utils import training

    try:
        return training.load_artifact(path, compile=False)
    except training.ArtifactError as exc:
        raise ModelLoadError(str(exc)) from None


def _unanswered(answers: Answers, name: str, what: str) -> str | None:
    """Why question ``name`` has no output (the call raised, or the shape was wrong), or None."""
    if answers.call_error(name):
        return f"calling the {what} failed ({answers.call_error(name)})."
    if name not in answers.outputs:
        return f"the {what} returned shape {answers.wrong_shape(name) or 'unknown'}, not the one its contract names."
    return None


# --------------------------------------------------------------------------- denoising autoencoder
def _load_denoiser(path: Path) -> tuple[Any, dict[str, Any]]:
    """Model process: the denoiser, if it returns images of its input's shape (checked on zeros)."""
    model = _load_artifact(path)
    shape = np.shape(np.asarray(model(np.zeros((2, *IMAGE_SHAPE), np.float32), training=False)))
    if shape != (2, *IMAGE_SHAPE):
        raise ModelLoadError(f"for 2 images the model returned shape {shape}; it must return images of the shape "
                             "of its input, (2, 28, 28, 1).")
    return model, {}


def _denoise(model: Any, name: str, noisy_images: np.ndarray) -> np.ndarray:
    """Model process: the model's images for ``noisy_images (N, 28, 28, 1)``."""
    return _predict(model, noisy_images)[0]


def _judge_denoising(query: ModelQuery, profile: str) -> Verdict:
    """Grader: the mean squared error per pixel against the clean test images, and its bar."""
    clean = test_images(profile)
    answers = query.ask({"noisy": noisy(clean)})
    if answers.error:
        return Verdict(False, f"denoising_ae: {answers.error}")
    problem = _unanswered(answers, "noisy", "model on the noisy test images")
    if problem:
        return Verdict(False, f"denoising_ae: {problem}")
    error = float(np.mean((answers.outputs["noisy"].astype(np.float64) - clean) ** 2))
    bar, label = DENOISING_MAX_MSE[profile], f"[{profile} profile]"
    facts = (f"{label} mean squared error {error:.4f} per pixel on {len(clean):,} hidden noisy "
             f"test images (noise std {NOISE_STD:g}); a model that copies its input scores about 0.10")
    if not error <= bar:  # a NaN error is above every bar
        return Verdict(False, f"denoising_ae: {facts}, above the bar of {bar:g}. Train on corrupted inputs with the "
                              "clean images as targets, through a bottleneck narrower than the image.")
    return Verdict(True, f"denoising_ae: {facts}.")


DENOISING_SERVED = Served(load=_load_denoiser, predict=_denoise, output_shape=lambda name, n: (n, *IMAGE_SHAPE),
                          judge=_judge_denoising)


def judge_denoising(path: Path, profile: str) -> Verdict:
    """``denoising_ae.keras`` loaded in this process (instructor tools, tests; the grader serves it)."""
    return DENOISING_SERVED.judge(InProcessModel(DENOISING_SERVED, path), profile)


# --------------------------------------------------------------------------- VAEs
@functools.lru_cache(maxsize=None)
def _vae_model_side(latent_dim: int) -> tuple[Callable, Callable, Callable]:
    """The model process's ``load`` and ``predict`` and the grader's ``output_shape`` of a latent-``d``
    VAE: one object each per size, so the checks of one file share one model process."""

    def load(path: Path) -> tuple[Any, dict[str, Any]]:
        from course_utils import models

        try:
            encoder, decoder = models.vae_parts(_load_artifact(path))
        except ValueError as exc:
            raise ModelLoadError(str(exc)) from None
        outputs = encoder(np.zeros((2, *IMAGE_SHAPE), np.float32), training=False)
        shapes = [tuple(np.shape(o)) for o in outputs] if isinstance(outputs, (list, tuple)) else [np.shape(outputs)]
        if shapes != [(2, latent_dim)] * 2:
            raise ModelLoadError(f"for 2 images the encoder returned shapes {shapes}; it must return "
                                 f"[mu, log_var], each of shape (2, {latent_dim}).")
        logits = np.asarray(decoder(np.zeros((2, latent_dim), np.float32), training=False))
        if logits.size != 2 * PIXELS:
            raise ModelLoadError(f"for 2 codes the decoder returned shape {logits.shape}; it must "
                                 "return logits of shape (2, 28, 28, 1).")
        return (encoder, decoder), {}

    def predict(parts: tuple[Any, Any], name: str, batch: np.ndarray) -> np.ndarray:
        encoder, decoder = parts
        if name == "elbo":
            x = batch[:, :PIXELS].reshape(len(batch), *IMAGE_SHAPE).astype(np.float32)
            return elbo_outputs(encoder, decoder, x, batch[:, PIXELS:])
        return decode(decoder, batch)

    def output_shape(name: str, n: int) -> tuple[int, ...]:
        return (n, 2 * latent_dim + PIXELS) if name == "elbo" else (n, PIXELS)

    return load, predict, output_shape


def vae_questions(latent_dim: int, profile: str) -> dict[str, np.ndarray]:
    """Every question a latent-``d`` VAE's checks ask (the same arrays for each check of the file)."""
    x = binarised(test_images(profile))
    questions = {"elbo": np.concatenate([x.reshape(len(x), PIXELS).astype(np.float64),
                                         elbo_noise(len(x), latent_dim)], axis=1),
                 "zeros": np.zeros((2, latent_dim), np.float32)}
    if latent_dim == PRIOR_LATENT_DIM:
        questions["prior"] = prior_codes(latent_dim, profile)
    return questions


def _judge_vae(latent_dim: int, query: ModelQuery, profile: str) -> Verdict:
    """Grader: the negative ELBO on the binarised test images, and its bar."""
    check_id = f"vae_latent{latent_dim}"
    answers = query.ask(vae_questions(latent_dim, profile))
    if answers.error:
        return Verdict(False, f"{check_id}: {answers.error}")
    problem = _unanswered(answers, "elbo", "VAE on the test images")
    if problem:
        return Verdict(False, f"{check_id}: {problem}")
    x = binarised(test_images(profile))
    measured = elbo_terms(x, answers.outputs["elbo"].astype(np.float64), latent_dim)
    bar, label = VAE_MAX_NEG_ELBO[latent_dim][profile], f"[{profile} profile]"
    facts = (f"{label} negative ELBO {measured['negative_elbo']:.1f} nats per binarised test image "
             f"(reconstruction {measured['reconstruction']:.1f} + KL {measured['kl']:.1f}) on {len(x):,} images")
    if not measured["negative_elbo"] <= bar:
        logits = answers.outputs.get("zeros")
        probabilities = logits is not None and bool(np.all((logits >= 0) & (logits <= 1)))
        hint = (" The decoder's outputs all lie in [0, 1]: it must return logits (no sigmoid), the "
                "grader applies the Bernoulli likelihood to them." if probabilities else
                " Train on the negative ELBO with the Bernoulli log-likelihood (not a squared error), "
                "on binarised images.")
        return Verdict(False, f"{check_id}: {facts}, above the bar of {bar:g}.{hint}")
    return Verdict(True, f"{check_id}: {facts} (bar {bar:g}).")


def _judge_prior_samples(query: ModelQuery, profile: str) -> Verdict:
    """Grader: the latent-16 VAE's decoded prior samples as the course's MNIST classifier sees them."""
    answers = query.ask(vae_questions(PRIOR_LATENT_DIM, profile))
    if answers.error:
        return Verdict(False, f"vae_prior_samples: {answers.error}")
    problem = _unanswered(answers, "prior", "decoder on the prior codes")
    if problem:
        return Verdict(False, f"vae_prior_samples: {problem}")
    samples = as_samples(answers.outputs["prior"].astype(np.float64))
    if not np.all(np.isfinite(samples)):
        return Verdict(False, "vae_prior_samples: the decoder's logits on prior codes are not all numbers (NaN).")
    measured = sample_quality(samples)
    bars = PRIOR_BARS[profile]
    facts = (f"[{profile} profile] on {PRIOR_SAMPLES[profile]:,} samples z ~ N(0, I) decoded to sigmoid(logits), "
             f"the course's MNIST classifier gives a mean top-class probability of {measured['mean_confidence']:.2f} "
             f"(bar {bars.min_confidence:g}) and a classifier score of {measured['classifier_score']:.2f} out of 10 "
             f"(bar {bars.min_score:g})")
    if measured["mean_confidence"] < bars.min_confidence:
        return Verdict(False, f"vae_prior_samples: {facts}: the samples do not look like digits. Train with the KL "
                              "term of the ELBO (it pulls q(z|x) towards the prior, so that prior samples decode to "
                              "digits) and save the trained bundle.")
    if measured["classifier_score"] < bars.min_score:
        return Verdict(False, f"vae_prior_samples: {facts}: the samples cover too few digits "
                              f"({measured['largest_class_share']:.0%} are one class).")
    return Verdict(True, f"vae_prior_samples: {facts}.")


def vae_served(latent_dim: int) -> Served:
    """The served ELBO check of ``vae_latent<latent_dim>.keras``."""
    load, predict, output_shape = _vae_model_side(latent_dim)
    return Served(load=load, predict=predict, output_shape=output_shape,
                  judge=functools.partial(_judge_vae, latent_dim))


PRIOR_SERVED = Served(*_vae_model_side(PRIOR_LATENT_DIM), judge=_judge_prior_samples)


def judge_vae(latent_dim: int) -> Callable[[Path, str], Verdict]:
    """The judge of ``vae_latent<latent_dim>.keras`` loaded in this process (tools, tests): contract, ELBO."""
    served = vae_served(latent_dim)
    return lambda path, profile: served.judge(InProcessModel(served, path), profile)


def judge_prior_samples(path: Path, profile: str) -> Verdict:
    """``vae_latent16.keras`` as a generative model, loaded in this process (tools, tests)."""
    return PRIOR_SERVED.judge(InProcessModel(PRIOR_SERVED, path), profile)
