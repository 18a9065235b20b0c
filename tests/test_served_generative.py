"""Do weeks 5 and 6's served artifact checks measure what the in-process path measures?

Served (:mod:`autograder.verdicts.served`), the model is loaded in a sandboxed process of its own
that answers the grader's questions, and the grader measures. For one model per week this compares,
number for number, the served measurements (through :class:`~autograder.verdicts.artifacts.
SandboxedModel`) with the in-process functions the bars were measured with (``_gans_artifacts.sample``
and ``measure``; ``negative_elbo``, ``prior_sample_quality``, ``denoising_error``), and checks that the
submission's files (``vae_latent16.keras``, judged by two checks, and ``denoising_ae.keras``) cost one
model process, not one per file or per check.
"""

from __future__ import annotations

import importlib
import math
from pathlib import Path

import numpy as np
import pytest

from autograder.isolation.sandbox import Limits
from autograder.verdicts import artifacts, judging, served_sandbox
from autograder.verdicts.served import InProcessModel
from course_utils import data

pytestmark = pytest.mark.slow

if not data.is_prepared("mnist"):
    pytest.skip("MNIST is not prepared: run `course data prepare` (make test does).", allow_module_level=True)

keras = pytest.importorskip("keras")
checks_05 = importlib.import_module("autograder.checks.05_autoencoders")
checks_06 = importlib.import_module("autograder.checks.06_gans")
gans = importlib.import_module("autograder.checks._gans_artifacts")
autoencoders = importlib.import_module("autograder.checks._autoencoders_artifacts")
vae_served = importlib.import_module("autograder.checks._autoencoders_served")


def _close(served: dict[str, float], in_process: dict[str, float]) -> bool:
    """The same measures, equal up to float noise (relative 1e-6)."""
    return served.keys() == in_process.keys() and all(
        math.isclose(served[k], in_process[k], rel_tol=1e-6, abs_tol=1e-9) for k in served)


def _sandboxed(assignment: str, check_id: str, path: Path) -> artifacts.SandboxedModel:
    return artifacts.SandboxedModel(assignment, judging.get_check(assignment, check_id), path, Limits())


def _generator(latent_dim: int, conditional: bool) -> keras.Model:
    """A small random generator: z (and the label, embedded) -> sigmoid images (N, 28, 28, 1)."""
    z = keras.Input((latent_dim,))
    inputs, code = z, z
    if conditional:
        labels = keras.Input((), dtype="int32")
        inputs, code = [z, labels], keras.layers.Add()([z, keras.layers.Embedding(10, latent_dim)(labels)])
    images = keras.layers.Reshape((28, 28, 1))(keras.layers.Dense(784, activation="sigmoid")(code))
    return keras.Model(inputs, images)


def test_served_generator_samples_and_measures_are_the_in_process_ones(tmp_path):
    """Week 6: are a cGAN's samples through the model process bit for bit those of the in-process
    draw, and its FID, score, novelty and label accuracy the same; and does a z wider than the pool
    of codes get the codes an in-process draw gives it?"""
    from course_utils import training

    keras.utils.set_random_seed(6)
    model = _generator(32, conditional=True)
    path = training.save_artifact(model, tmp_path / "cgan_generator.keras")
    count = checks_06.SAMPLES["smoke"]
    labels = np.arange(count) % 10
    in_process, problem = gans.sample(model, count, labels)
    assert problem is None
    query = _sandboxed("06_gans", "cgan_generator", path)
    served, problem = gans._samples(query, count, labels, conditional=True)
    assert problem is None and np.array_equal(served, in_process)
    measured = gans.measure_served(query, "smoke", count, conditional=True)  # answered from the last run
    assert _close(measured, gans.measure(in_process, gans._images("test", count), gans._images("train", "all"), labels))
    wide = _generator(gans.LATENT_POOL + 44, conditional=False)
    wide_path = training.save_artifact(wide, tmp_path / "dcgan_generator.keras")
    served, problem = gans._samples(InProcessModel(checks_06.DCGAN_SERVED, wide_path), 50, None, conditional=False)
    assert problem is None and np.array_equal(served, gans.sample(wide, 50)[0])


def _vae(latent_dim: int) -> keras.Model:
    """A small random VAE bundle (encoder -> [mu, log_var], decoder -> logits), as the notebook saves it."""
    from course_utils import models

    image = keras.Input((28, 28, 1))
    hidden = keras.layers.Dense(64, activation="relu")(keras.layers.Flatten()(image))
    encoder = keras.Model(image, [keras.layers.Dense(latent_dim)(hidden), keras.layers.Dense(latent_dim)(hidden)])
    z = keras.Input((latent_dim,))
    decoder = keras.Model(z, keras.layers.Reshape((28, 28, 1))(keras.layers.Dense(784)(z)))
    return models.bundle_vae(encoder, decoder)


def test_served_vae_and_denoiser_measure_as_in_process_and_share_one_process(tmp_path, monkeypatch):
    """Week 5: are the served negative ELBO, prior-sample quality and denoising error those of the
    in-process functions; are the served verdicts the in-process ones, word for word; and do the
    two checks of ``vae_latent16.keras`` and the denoiser's check cost one model process?"""
    from course_utils import models, training

    keras.utils.set_random_seed(5)
    folder = tmp_path / "submission"
    bundle = _vae(16)
    path = training.save_artifact(bundle, folder / "vae_latent16.keras")
    image = keras.Input((28, 28, 1))
    denoiser = keras.Model(image, keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid")(image))
    denoiser_path = training.save_artifact(denoiser, folder / "denoising_ae.keras")
    encoder, decoder = models.vae_parts(bundle)

    questions = vae_served.vae_questions(16, "smoke")
    answers = _sandboxed("05_autoencoders", "vae_latent16", path).ask(questions)
    assert set(answers.outputs) == set(questions) == {"elbo", "zeros", "prior"}
    x = autoencoders.binarised(autoencoders.test_images("smoke"))
    assert _close(autoencoders.elbo_terms(x, answers.outputs["elbo"].astype(np.float64), 16),
                  autoencoders.negative_elbo(encoder, decoder, "smoke"))
    samples = autoencoders.as_samples(answers.outputs["prior"].astype(np.float64))
    assert _close(autoencoders.sample_quality(samples), autoencoders.prior_sample_quality(decoder, 16, "smoke"))
    noisy = autoencoders.noisy(autoencoders.test_images("smoke"))
    cleaned = _sandboxed("05_autoencoders", "denoising_ae", denoiser_path).ask({"noisy": noisy}).outputs["noisy"]
    assert math.isclose(float(np.mean((cleaned.astype(np.float64) - autoencoders.test_images("smoke")) ** 2)),
                        autoencoders.denoising_error(denoiser, "smoke"), rel_tol=1e-6)

    runs = []
    original = served_sandbox.run_model_process
    monkeypatch.setattr(served_sandbox, "run_model_process", lambda assignment, files, limits: runs.append(
        [file.check.path for file in files]) or original(assignment, files, limits))
    ids = ("vae_latent16", "vae_prior_samples", "denoising_ae")
    checks = [judging.get_check("05_autoencoders", check_id) for check_id in ids]
    verdicts = artifacts.judge_artifacts_isolated("05_autoencoders", checks, folder, profile="smoke")
    assert runs == [["vae_latent16.keras", "denoising_ae.keras"]], runs  # one model process, both files
    for check in checks:
        in_process = check.judge(folder / check.path, "smoke")
        assert verdicts[check.id] == in_process, (verdicts[check.id], in_process)
