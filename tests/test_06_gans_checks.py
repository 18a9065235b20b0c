"""Do the hidden checks of 06_gans accept the reference answers and reject each plausible mistake,
do the artifact checks catch untrained, noisy, collapsed, memorising and label-ignoring
generators, and does the real notebook pass `course validate`?

Function candidates go through the instructor's path (``run_function_check_inline``), wrapped
exactly like the notebook's hidden tests (logits as tensors, the hidden critic rebuilt from its
weights). The mistaken generators come from ``benchmarks/gans_bars.py``, which measured them.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from autograder.verdicts.judging import run_function_check_inline
from course_utils import data

if not data.is_prepared("mnist"):
    pytest.skip("MNIST is not prepared: run `course data prepare` (make test does).", allow_module_level=True)

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
checks_06 = importlib.import_module("autograder.checks.06_gans")
reference = importlib.import_module("autograder.checks._gans_reference")
ASSIGNMENT = "06_gans"
ROOT = Path(__file__).resolve().parents[1]


def bars_benchmark():
    spec = importlib.util.spec_from_file_location("gans_bars", ROOT / "benchmarks" / "gans_bars.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- how the grade cells wrap answers
def verdict_discriminator(loss):
    return run_function_check_inline(ASSIGNMENT, "discriminator_loss", lambda real_logits, fake_logits: loss(
        tf.constant(real_logits), tf.constant(fake_logits)))


def verdict_generator(check_id, loss):
    return run_function_check_inline(ASSIGNMENT, check_id, lambda fake_logits: loss(tf.constant(fake_logits)))


def verdict_penalty(penalty):
    def on_hidden_critic(real, fake, epsilon, w1, b1, w2, b2):
        from keras import layers

        critic = keras.Sequential([keras.Input(real.shape[1:]), layers.Flatten(),
                                   layers.Dense(w1.shape[1], activation="tanh"), layers.Dense(1)])
        critic.set_weights([w1, b1, w2, b2])
        return penalty(critic, tf.constant(real), tf.constant(fake), tf.constant(epsilon))
    return run_function_check_inline(ASSIGNMENT, "gradient_penalty", on_hidden_critic)


def not_done(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("check_id", [c.id for c in checks_06.CHECKS if not hasattr(c, "path")])
def test_a_blank_answer_fails(check_id):
    """Does the released stub (raise NotImplementedError) fail every function check?"""
    result = run_function_check_inline(ASSIGNMENT, check_id, not_done)
    assert not result.passed and "NotImplementedError" in result.message


# --------------------------------------------------------------------------- losses
def softplus(x):
    return tf.nn.softplus(x)


def test_discriminator_loss_accepts_reference_and_alternatives():
    for loss in (lambda r, f: tf.reduce_mean(softplus(-r)) + tf.reduce_mean(softplus(f)),
                 lambda r, f: keras.losses.BinaryCrossentropy(from_logits=True)(tf.ones_like(r), r)
                 + keras.losses.BinaryCrossentropy(from_logits=True)(tf.zeros_like(f), f)):
        result = verdict_discriminator(loss)
        assert result.passed, result.message


@pytest.mark.parametrize("mistake, expected", [
    (lambda r, f: -(tf.reduce_mean(softplus(-r)) + tf.reduce_mean(softplus(f))), "sign is flipped"),
    (lambda r, f: -tf.reduce_mean(tf.math.log(tf.sigmoid(r))) - tf.reduce_mean(tf.math.log(1 - tf.sigmoid(f))),
     "stably"),
    (lambda r, f: tf.reduce_mean(tf.concat([softplus(-tf.reshape(r, [-1])), softplus(tf.reshape(f, [-1]))], 0)),
     "separately"),
    (lambda r, f: tf.reduce_mean(softplus(r)) + tf.reduce_mean(softplus(-f)), "label real 1"),
], ids=["sign", "naive-log-sigmoid", "pooled-mean", "labels-swapped"])
def test_discriminator_loss_rejects(mistake, expected):
    result = verdict_discriminator(mistake)
    assert not result.passed and expected in result.message, result.message


SATURATING = lambda f: -tf.reduce_mean(softplus(f))  # noqa: E731 - the reference, as a student writes it
NON_SATURATING = lambda f: tf.reduce_mean(softplus(-f))  # noqa: E731


def test_generator_losses_accept_reference():
    for check_id, loss in (("saturating_generator_loss", SATURATING), ("non_saturating_generator_loss", NON_SATURATING)):
        result = verdict_generator(check_id, loss)
        assert result.passed, result.message


@pytest.mark.parametrize("check_id, mistake, expected", [
    ("saturating_generator_loss", NON_SATURATING, "That is the non-saturating loss"),
    ("non_saturating_generator_loss", SATURATING, "That is the saturating loss"),
    ("saturating_generator_loss", lambda f: tf.reduce_mean(softplus(f)), "sign is flipped"),
    ("non_saturating_generator_loss", lambda f: -tf.reduce_mean(softplus(-f)), "sign is flipped"),
    ("non_saturating_generator_loss", lambda f: -tf.reduce_mean(tf.math.log(tf.sigmoid(f))), "stably"),
    ("saturating_generator_loss", lambda f: tf.reduce_mean(tf.math.log(1 - tf.sigmoid(f))), "stably"),
], ids=["confused-sat", "confused-non-sat", "sign-sat", "sign-non-sat", "naive-non-sat", "naive-sat"])
def test_generator_losses_reject(check_id, mistake, expected):
    result = verdict_generator(check_id, mistake)
    assert not result.passed and expected in result.message, result.message


# --------------------------------------------------------------------------- D* and the JSD
def test_optimal_discriminator_accepts_reference():
    result = run_function_check_inline(ASSIGNMENT, "optimal_discriminator", reference.optimal_discriminator)
    assert result.passed, result.message


def naive_dstar(x, data_mean, data_std, model_mean, model_std):
    def pdf(mean, std):
        return np.exp(-0.5 * ((np.asarray(x) - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))
    return pdf(data_mean, data_std) / (pdf(data_mean, data_std) + pdf(model_mean, model_std))


@pytest.mark.parametrize("mistake, expected", [
    (naive_dstar, "log densities"),
    (lambda x, data_mean, data_std, model_mean, model_std: 1 - reference.optimal_discriminator(
        x, data_mean, data_std, model_mean, model_std), "that is 1 - D*"),
    (lambda x, data_mean, data_std, model_mean, model_std: reference.optimal_discriminator(
        x, data_mean, data_std ** 2, model_mean, model_std ** 2), "std, not variance"),
], ids=["naive-ratio", "swapped", "variance-as-std"])
def test_optimal_discriminator_rejects(mistake, expected):
    result = run_function_check_inline(ASSIGNMENT, "optimal_discriminator", mistake)
    assert not result.passed and expected in result.message, result.message


def test_jsd_identity_accepts_reference():
    result = run_function_check_inline(ASSIGNMENT, "jsd_identity", lambda p, q, dx: (
        reference.jensen_shannon(p, q, dx), reference.value_at_optimum(p, q, dx)))
    assert result.passed, result.message


def naive_jsd(p, q, dx):
    m = (p + q) / 2
    return 0.5 * np.sum(p * np.log(p / m)) * dx + 0.5 * np.sum(q * np.log(q / m)) * dx


@pytest.mark.parametrize("mistake, expected", [
    (lambda p, q, dx: (naive_jsd(p, q, dx), reference.value_at_optimum(p, q, dx)), "0 log 0 = 0"),
    (lambda p, q, dx: (reference.jensen_shannon(p, q, dx) / np.log(2), reference.value_at_optimum(p, q, dx)),
     "in bits"),
    (lambda p, q, dx: (2 * reference.jensen_shannon(p, q, dx), reference.value_at_optimum(p, q, dx)),
     "1/2 KL(p || m)"),
    (lambda p, q, dx: (reference.jensen_shannon(p, q, dx), 2 * reference.jensen_shannon(p, q, dx)),
     "value_at_optimum"),
], ids=["no-zero-guard", "bits", "no-halves", "value-without-log4"])
def test_jsd_identity_rejects(mistake, expected):
    result = run_function_check_inline(ASSIGNMENT, "jsd_identity", mistake)
    assert not result.passed and expected in result.message, result.message


# --------------------------------------------------------------------------- gradient penalty
def penalty_at(critic, points, *, squared=False, batch_norm=False):
    with tf.GradientTape() as tape:
        tape.watch(points)
        scores = critic(points)
    gradients = tape.gradient(scores, points)
    axes = list(range(1, len(points.shape)))
    if batch_norm:
        return tf.square(tf.norm(gradients) - 1.0)
    norms = tf.reduce_sum(tf.square(gradients), axis=axes) if squared else tf.norm(
        tf.reshape(gradients, [tf.shape(gradients)[0], -1]), axis=1)
    return tf.reduce_mean(tf.square(norms - 1.0))


def test_gradient_penalty_accepts_reference():
    result = verdict_penalty(lambda critic, real, fake, epsilon: penalty_at(critic, epsilon * real + (1 - epsilon) * fake))
    assert result.passed, result.message


@pytest.mark.parametrize("mistake, expected", [
    (lambda critic, real, fake, epsilon: penalty_at(critic, real), "the real samples"),
    (lambda critic, real, fake, epsilon: penalty_at(critic, fake), "the fake samples"),
    (lambda critic, real, fake, epsilon: penalty_at(critic, epsilon * fake + (1 - epsilon) * real), "swapped"),
    (lambda critic, real, fake, epsilon: penalty_at(critic, epsilon * real + (1 - epsilon) * fake, squared=True),
     "squared norm"),
    (lambda critic, real, fake, epsilon: penalty_at(critic, epsilon * real + (1 - epsilon) * fake, batch_norm=True),
     "whole batch"),
], ids=["at-real", "at-fake", "swapped-weights", "squared-norm", "batch-norm"])
def test_gradient_penalty_rejects(mistake, expected):
    result = verdict_penalty(mistake)
    assert not result.passed and expected in result.message, result.message


# --------------------------------------------------------------------------- conditioning
def conditional_nets(label_in_generator=True, label_in_discriminator=True, zeros_init=False, sigmoid=False):
    """A small cGAN pair; ``zeros_init``: both label embeddings start at zero (wired right, trainable);
    ``sigmoid``: the discriminator returns probabilities instead of logits."""
    from keras import layers

    z, labels = keras.Input((16,)), keras.Input((), dtype="int32")
    start = "zeros" if zeros_init else "uniform"
    if label_in_generator:
        h = layers.Concatenate()([z, layers.Embedding(10, 16, embeddings_initializer=start)(labels)])
    else:   # the label is wired in, but embedded as zeros that training cannot change
        h = layers.Add()([z, layers.Embedding(10, 16, embeddings_initializer="zeros", trainable=False)(labels)])
    out = layers.Reshape((28, 28, 1))(layers.Dense(784, activation="sigmoid")(h))
    images, d_labels = keras.Input((28, 28, 1)), keras.Input((), dtype="int32")
    flat = layers.Flatten()(images)
    if label_in_discriminator:
        flat = layers.Concatenate()([flat, layers.Embedding(10, 8, embeddings_initializer=start)(d_labels)])
    else:
        flat = layers.Add()([flat, layers.Embedding(10, 784, embeddings_initializer="zeros",
                                                    trainable=False)(d_labels)])
    return keras.Model([z, labels], out), keras.Model([images, d_labels],
                                                      layers.Dense(1, activation="sigmoid" if sigmoid else None)(flat))


def verdict_conditioning(**options):
    """The grade cell's protocol: both nets on random weights under each of the case's seeds."""
    from course_utils import models

    def outputs(z, labels, other_labels, images, init_seeds):
        keras.utils.set_random_seed(0)
        g, d = conditional_nets(**options)
        results = []
        for seed in init_seeds:
            models.randomise_trainable_weights(g, int(seed))
            models.randomise_trainable_weights(d, int(seed), scale=8.0)
            results += [g([z, labels]), g([z, other_labels]), d([images, labels]), d([images, other_labels])]
        return tuple(results)
    return run_function_check_inline(ASSIGNMENT, "conditioning", outputs)


@pytest.mark.parametrize("options", [{}, {"zeros_init": True}], ids=["embeddings", "embeddings-start-at-zero"])
def test_conditioning_accepts_both_nets_conditioned(options):
    """Wiring is judged on random weights: label embeddings that start at zero are wired right."""
    result = verdict_conditioning(**options)
    assert result.passed, result.message


@pytest.mark.parametrize("options, expected", [
    ({"label_in_generator": False}, "generator's images do not change"),
    ({"label_in_discriminator": False}, "discriminator's score does not change"),
    ({"sigmoid": True}, "returns probabilities"),
], ids=["generator-ignores-label", "discriminator-ignores-label", "discriminator-sigmoid"])
def test_conditioning_rejects(options, expected):
    result = verdict_conditioning(**options)
    assert not result.passed and expected in result.message, result.message


# --------------------------------------------------------------------------- artifacts
@pytest.fixture(scope="module")
def mistaken_generators(tmp_path_factory):
    """Every mistake of the benchmark that needs no trained generator, saved as the student would."""
    from course_utils import training

    folder = tmp_path_factory.mktemp("gans_mistakes")
    paths = {}
    for name, (model, conditional) in bars_benchmark().mistakes(None).items():
        paths[name] = training.save_artifact(model, folder / f"{name}.keras")
    return paths


@pytest.mark.parametrize("name, expected", [
    ("untrained", "score is low"),
    ("noise", "score is low"),
    ("collapsed_held_out_ones", "mode collapse"),
    ("memoriser_2000_training_images", "reproduce its training set"),
    ("memoriser_training_ones", "reproduce its training set"),
])
def test_dcgan_generator_rejects(mistaken_generators, name, expected):
    result = checks_06.judge_dcgan(mistaken_generators[name], "smoke")
    assert not result.passed and expected in result.message, result.message


def test_cgan_generator_rejects_a_label_ignoring_generator(tmp_path):
    """A cGAN whose label is embedded as zeros in front of a generator of varied digits-like images."""
    from course_utils import training

    benchmark = bars_benchmark()
    images, _ = data.load_numpy("mnist", "test", limit="all")
    varied = benchmark.replaying_generator(images[5000:7000].astype(np.float32) / 255.0)
    path = training.save_artifact(benchmark.label_ignoring(varied), tmp_path / "cgan_generator.keras")
    result = checks_06.judge_cgan(path, "smoke")
    assert not result.passed and "ignores its label" in result.message, result.message


def test_a_generator_with_the_wrong_contract_is_rejected(tmp_path):
    from keras import layers

    from course_utils import training

    model = keras.Sequential([keras.Input((8,)), layers.Dense(784, activation="tanh"), layers.Reshape((28, 28, 1))])
    result = checks_06.judge_dcgan(training.save_artifact(model, tmp_path / "g.keras"), "smoke")
    assert not result.passed and "[0, 1]" in result.message, result.message


@pytest.mark.parametrize("accuracy, says, never", [
    (0.32, "does steer the generator", "ignores its label"),
    (0.10, "ignores its label", "does steer"),
], ids=["weak-label", "chance"])
def test_cgan_message_names_what_the_label_accuracy_supports(accuracy, says, never):
    """'Ignores its label' only near chance (10 %); a cGAN at 32 % follows its label, too weakly."""
    from autograder.checks import _gans_artifacts

    measured = {"fid": 50.0, "score": 6.0, "novelty": 1.2, "label_accuracy": accuracy}
    result = _gans_artifacts.verdict("cgan_generator", measured, checks_06.CGAN_BARS["full"], "full")
    assert not result.passed and says in result.message and never not in result.message, result.message
