"""Do the hidden checks of 05_autoencoders accept the notebook's solutions, reject a blank answer
and tell the issue's mistakes what is wrong, do the artifact checks reject a copying
autoencoder and a broken VAE, and does the real notebook pass `course validate`? The right
alternatives and plausible mistakes of the six functions are the answer corpus,
tests/answers/05_autoencoders/ (tests/test_answer_corpus.py).

Candidates go through the same path as an instructor's grade cell
(``run_function_check_inline``: hidden cases, the judge encoding, the verdict), wrapped exactly
like the notebook's hidden tests. The solution functions are the notebook's own, read from its
solution cells.
"""

from __future__ import annotations

import functools
import importlib
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.verdicts.judging import run_function_check_inline
from course_utils import data, models, training

if not data.is_prepared("mnist"):
    pytest.skip("MNIST is not prepared: run `course data prepare` (make test does).", allow_module_level=True)

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
checks_05 = importlib.import_module("autograder.checks.05_autoencoders")
ASSIGNMENT = "05_autoencoders"
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


@functools.lru_cache(maxsize=None)
def solution() -> dict:
    """The notebook's imports and solution-cell functions (no data, no training)."""
    namespace: dict = {"__name__": "solution_05"}
    cells = [c for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code"]
    exec(cells[0].source, namespace)  # the setup cell: imports, ASSIGNMENT, SEED
    for cell in cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            exec(cell.source, namespace)
    return namespace


# --------------------------------------------------------------------------- how the grade cells wrap functions
def _loss_and_encoder_gradients(loss_function, x, weight, weights):
    """As the contractive_loss grade cell: the loss, then the gradients of its sum with respect to the
    encoder's weights from a tape around the call (all NaN where none reaches one)."""
    encoder, decoder = models.dense_autoencoder_from_weights(weights)
    with tf.GradientTape() as tape:
        loss = loss_function(encoder, decoder, x, weight)
        total = tf.reduce_sum(tf.cast(loss, tf.float32))
    gradients = tape.gradient(total, encoder.trainable_variables)
    return (loss, *(np.full(v.shape, np.nan) if g is None else g for v, g in zip(encoder.trainable_variables, gradients)))


WRAPPERS = {
    "conv_matrix": lambda f: lambda kernel, input_shape, stride: f(kernel, tuple(int(s) for s in input_shape), int(stride)),
    "contractive_loss": lambda f: lambda x, weight, **weights: _loss_and_encoder_gradients(f, x, weight, weights),
    "gaussian_kl": lambda f: lambda mu, log_var: (f(tf.constant(mu), tf.constant(log_var)), *models.value_and_gradients(
        lambda m, v: tf.reduce_sum(f(m, v)), (mu, log_var), 1.0)[1:]),
    "sample_latent": lambda f: lambda mu, log_var, cotangent: (*models.value_and_gradients(f, (mu, log_var), cotangent),
                                                               f(tf.constant(mu), tf.constant(log_var))),
    "bernoulli_log_likelihood": lambda f: lambda x, logits: f(x, logits),
    "importance_sampled_log_px": lambda f: lambda x, mu, log_var, num_samples, kernel, bias, sigma: f(
        x, mu, log_var, models.linear_gaussian_log_likelihood(kernel, bias, sigma), int(num_samples)),
}


def verdict(check_id: str, function):
    return run_function_check_inline(ASSIGNMENT, check_id, WRAPPERS[check_id](function))


def not_done(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("check_id", sorted(WRAPPERS))
def test_check_accepts_the_notebook_solution(check_id):
    result = verdict(check_id, solution()[check_id])
    assert result.passed, result.message


@pytest.mark.parametrize("check_id", sorted(WRAPPERS))
def test_check_rejects_a_blank_answer(check_id):
    result = verdict(check_id, not_done)
    assert not result.passed and "NotImplementedError" in result.message, result.message


# --------------------------------------------------------------------------- the mistakes, and their hints
def test_gaussian_kl_names_a_wrong_sign_and_a_missing_half():
    kl = solution()["gaussian_kl"]
    wrong_sign = verdict("gaussian_kl", lambda mu, log_var: -kl(mu, log_var))
    assert not wrong_sign.passed and "wrong sign" in wrong_sign.message, wrong_sign.message
    no_half = verdict("gaussian_kl", lambda mu, log_var: 2 * kl(mu, log_var))
    assert not no_half.passed and "1/2" in no_half.message, no_half.message


def test_sample_latent_without_reparameterisation_has_no_gradient_to_mu():
    def numpy_sample(mu, log_var):
        return np.random.default_rng(0).normal(np.asarray(mu), np.exp(0.5 * np.asarray(log_var)))

    result = verdict("sample_latent", numpy_sample)
    assert not result.passed and "no gradient reaches mu" in result.message, result.message


def test_sample_latent_rejects_the_same_noise_at_every_call():
    """keras.random.normal with an integer seed is stateless: the same eps at every call."""
    def fixed_seed(mu, log_var):
        return mu + tf.exp(0.5 * log_var) * keras.random.normal(tf.shape(mu), seed=1234)

    result = verdict("sample_latent", fixed_seed)
    assert not result.passed and "fresh at every call" in result.message, result.message


def test_bernoulli_log_likelihood_rejects_a_squared_error():
    def squared_error(x, logits):
        return -tf.reduce_sum(tf.reshape(tf.square(x - tf.sigmoid(logits)), (tf.shape(x)[0], -1)), axis=1)

    result = verdict("bernoulli_log_likelihood", squared_error)
    assert not result.passed and "squared error" in result.message, result.message


def test_contractive_loss_rejects_a_penalty_on_the_decoder():
    def decoder_penalty(encoder, decoder, x, weight):
        x = tf.convert_to_tensor(x, tf.float32)
        code = encoder(x)
        with tf.GradientTape() as tape:
            tape.watch(code)
            reconstruction = decoder(code)
        jacobian = tape.batch_jacobian(reconstruction, code)
        error = tf.reduce_sum(tf.reshape(tf.square(x - reconstruction), (tf.shape(x)[0], -1)), axis=1)
        return error + weight * tf.reduce_sum(tf.reshape(tf.square(jacobian), (tf.shape(x)[0], -1)), axis=1)

    result = verdict("contractive_loss", decoder_penalty)
    assert not result.passed and "decoder's Jacobian" in result.message, result.message


def test_contractive_loss_rejects_a_loss_computed_in_numpy():
    """Right values returned as a NumPy array: no gradient reaches the encoder's weights (issue 27)."""
    def numpy_loss(encoder, decoder, x, weight):
        x = tf.convert_to_tensor(x, tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(x)
            code = encoder(x)
        jacobian = np.asarray(tape.batch_jacobian(code, x)).reshape(len(x), -1)
        errors = np.asarray(x - decoder(code)).reshape(len(x), -1)
        return (np.sum(errors ** 2, axis=1) + weight * np.sum(jacobian ** 2, axis=1)).astype("float32")

    result = verdict("contractive_loss", numpy_loss)
    assert not result.passed and "no gradient reaches the encoder's weights" in result.message, result.message


def test_importance_sampling_rejects_the_elbo():
    """Averaging the log weights (the ELBO with K samples) instead of the weights."""
    def elbo(x, mu, log_var, log_likelihood, num_samples):
        eps = tf.random.normal((num_samples, *mu.shape))
        z = mu + tf.exp(0.5 * log_var) * eps
        repeated = tf.reshape(tf.broadcast_to(x[None], (num_samples, *x.shape)), (-1, *x.shape[1:]))
        log_px_z = tf.reshape(log_likelihood(repeated, tf.reshape(z, (-1, mu.shape[1]))), (num_samples, -1))
        log_w = log_px_z - 0.5 * tf.reduce_sum(tf.square(z) - tf.square(eps) - log_var, axis=-1)
        return tf.reduce_mean(log_w, axis=0)

    result = verdict("importance_sampled_log_px", elbo)
    assert not result.passed and "ELBO" in result.message, result.message


# --------------------------------------------------------------------------- artifacts
def _wide_copier() -> keras.Model:
    """An "autoencoder" whose code (1,024 units) is wider than its input, copying it exactly."""
    image = keras.Input(shape=(28, 28, 1))
    code_layer, output_layer = keras.layers.Dense(1024, activation="relu"), keras.layers.Dense(784)
    model = keras.Model(image, keras.layers.Reshape((28, 28, 1))(output_layer(code_layer(keras.layers.Flatten()(image)))))
    code_layer.set_weights([np.eye(784, 1024, dtype=np.float32), np.zeros(1024, np.float32)])
    output_layer.set_weights([np.eye(1024, 784, dtype=np.float32), np.zeros(784, np.float32)])
    return model


def test_denoising_check_rejects_an_autoencoder_that_copies_through_a_wide_code(tmp_path):
    path = training.save_artifact(_wide_copier(), tmp_path / "denoising_ae.keras")
    result = checks_05.judge_denoising(path, "smoke")
    assert not result.passed and "above the bar" in result.message, result.message


def _vae_bundle(latent_dim: int, *, sigmoid: bool = False) -> keras.Model:
    """An untrained VAE of the notebook's architecture (optionally with probabilities as outputs)."""
    ns = solution()
    exec(next(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if "def build_vae_encoder" in c.source), ns)
    decoder = ns["build_vae_decoder"](latent_dim)
    if sigmoid:
        z = keras.Input(shape=(latent_dim,))
        decoder = keras.Model(z, keras.layers.Activation("sigmoid")(decoder(z)))
    return models.bundle_vae(ns["build_vae_encoder"](latent_dim), decoder)


def test_vae_check_rejects_an_untrained_vae_and_names_probabilities(tmp_path):
    path = training.save_artifact(_vae_bundle(16), tmp_path / "vae_latent16.keras")
    untrained = checks_05.judge_vae(16)(path, "smoke")
    assert not untrained.passed and "above the bar" in untrained.message, untrained.message
    path = training.save_artifact(_vae_bundle(16, sigmoid=True), tmp_path / "probabilities.keras")
    probabilities = checks_05.judge_vae(16)(path, "smoke")
    assert not probabilities.passed and "logits" in probabilities.message, probabilities.message


def test_vae_check_rejects_the_wrong_latent_size(tmp_path):
    path = training.save_artifact(_vae_bundle(2), tmp_path / "vae_latent16.keras")
    result = checks_05.judge_vae(16)(path, "smoke")
    assert not result.passed and "(2, 16)" in result.message, result.message


def _one_digit_decoder(latent_dim: int) -> keras.Model:
    """A decoder that draws the same test digit whatever z is (logits of a real MNIST image)."""
    digit = checks_05.test_images("smoke")[0].reshape(1, 784).astype("float32")
    logits = np.log(np.clip(digit, 1e-3, 1 - 1e-3) / (1 - np.clip(digit, 1e-3, 1 - 1e-3)))
    z = keras.Input(shape=(latent_dim,))
    dense = keras.layers.Dense(784, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(logits[0]))
    return keras.Model(z, keras.layers.Reshape((28, 28, 1))(dense(z)))


@pytest.mark.parametrize("profile", ["smoke", "full"])
def test_prior_samples_check_rejects_noise_and_a_single_digit(tmp_path, profile):
    """Are an untrained VAE's prior samples (noise: no digit) and a decoder that always draws the
    same digit (confident, but one class) both refused, each with its own reason?"""
    path = training.save_artifact(_vae_bundle(16), tmp_path / "vae_latent16.keras")
    untrained = checks_05.judge_prior_samples(path, profile)
    assert not untrained.passed and "do not look like digits" in untrained.message, untrained.message
    encoder = models.vae_parts(training.load_artifact(path, compile=False))[0]
    path = training.save_artifact(models.bundle_vae(encoder, _one_digit_decoder(16)), tmp_path / "one_digit.keras")
    one_digit = checks_05.judge_prior_samples(path, profile)
    assert not one_digit.passed and "too few digits" in one_digit.message and "100% are one class" in one_digit.message, (
        one_digit.message)


def test_prior_samples_check_reads_the_latent_16_contract(tmp_path):
    path = training.save_artifact(_vae_bundle(2), tmp_path / "vae_latent16.keras")
    result = checks_05.judge_prior_samples(path, "smoke")
    assert not result.passed and result.message.startswith("vae_prior_samples:") and "(2, 16)" in result.message
