"""Do the hidden checks of 04_visualising accept the reference and reject the blank and each
plausible mistake, and does the real notebook pass `course validate`?

Every candidate goes through ``run_function_check_inline`` (hidden cases, the judge
encoding, the verdict), wrapped exactly like the notebook's hidden tests: the model is
rebuilt from the case's weight arrays and handed to the function.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from autograder.verdicts.judging import run_function_check_inline
from course_utils import data, models

if not data.is_prepared("mnist"):
    pytest.skip("MNIST is not prepared: run `course data prepare` (make test does).", allow_module_level=True)

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
checks_04 = importlib.import_module("autograder.checks.04_visualising")
ASSIGNMENT = "04_visualising"
FUNCTION_CHECKS = ["saliency_map", "project_to_sphere", "activation_maximisation", "class_model_objective",
                   "class_model", "total_variation", "inversion_loss", "invert_representation"]


# --------------------------------------------------------------------------- how the grade cells wrap them
def verdict_saliency(saliency_map):
    return run_function_check_inline(ASSIGNMENT, "saliency_map", lambda x, classes, **weights: saliency_map(
        models.classifier_from_weights(weights), x, classes))


def verdict_projection(project):
    return run_function_check_inline(ASSIGNMENT, "project_to_sphere", lambda x, rho: project(x, rho))


def verdict_activation(maximise):
    return run_function_check_inline(ASSIGNMENT, "activation_maximisation",
                                     lambda layer, units, rho, **given: models.with_classifier(
                                         maximise, layer, units, rho, **given))


def verdict_class_objective(objective):
    return run_function_check_inline(ASSIGNMENT, "class_model_objective",
                                     lambda x, classes, lam, **weights: objective(
                                         models.classifier_from_weights(weights), x, classes, lam))


def verdict_class_model(class_model):
    return run_function_check_inline(ASSIGNMENT, "class_model", lambda classes, lam, **given: models.with_classifier(
        class_model, classes, lam, **given))


def verdict_tv(total_variation):
    return run_function_check_inline(ASSIGNMENT, "total_variation", lambda x, **options: total_variation(x, **options))


def verdict_inversion_loss(loss):
    return run_function_check_inline(
        ASSIGNMENT, "inversion_loss", lambda layer, x, target_features, lam, mu, **given: (
            models.value_and_input_gradient(lambda images: models.with_classifier(
                loss, layer, images, target_features, lam, mu, **given), x)))


def verdict_inversion(invert):
    return run_function_check_inline(
        ASSIGNMENT, "invert_representation", lambda layer, target_features, lam, mu, **given: models.with_classifier(
            invert, layer, target_features, lam, mu, **given))


def not_done(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("check_id", FUNCTION_CHECKS)
def test_a_blank_answer_fails(check_id):
    """Does the released stub (raise NotImplementedError) fail every function check?"""
    result = run_function_check_inline(ASSIGNMENT, check_id, not_done)
    assert not result.passed and "NotImplementedError" in result.message


# --------------------------------------------------------------------------- saliency
def logit_gradient(model, x, classes, *, softmax=False):
    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = model(x, training=False)
        if softmax:
            scores = tf.nn.softmax(scores)
        chosen = tf.gather(scores, np.asarray(classes), axis=1, batch_dims=1)
    return tape.gradient(chosen, x).numpy()


def saliency_of_softmax(model, x, classes):
    return np.abs(logit_gradient(model, x, classes, softmax=True)).max(axis=-1)


def saliency_of_predicted_class(model, x, classes):
    predicted = np.argmax(np.asarray(model(np.asarray(x, dtype=np.float32))), axis=1)
    return np.abs(logit_gradient(model, x, predicted)).max(axis=-1)


def saliency_without_abs(model, x, classes):
    return logit_gradient(model, x, classes).max(axis=-1)


def test_saliency_accepts_reference():
    result = verdict_saliency(checks_04.saliency_reference)
    assert result.passed, result.message


@pytest.mark.parametrize("mistake", [saliency_of_softmax, saliency_of_predicted_class, saliency_without_abs],
                         ids=["softmax-not-logit", "wrong-class", "no-absolute-value"])
def test_saliency_rejects(mistake):
    result = verdict_saliency(mistake)
    assert not result.passed and "logit" in result.message, result.message


# --------------------------------------------------------------------------- projection
def project_onto_ball(x, rho):
    x = np.asarray(x, dtype=np.float64)
    norms = np.sqrt(np.sum(x ** 2, axis=tuple(range(1, x.ndim)), keepdims=True))
    return x * np.minimum(1.0, rho / norms)


def project_by_batch_norm(x, rho):
    return rho * np.asarray(x) / np.linalg.norm(np.asarray(x))


def project_by_squared_norm(x, rho):
    x = np.asarray(x, dtype=np.float64)
    return rho * x / np.sum(x ** 2, axis=tuple(range(1, x.ndim)), keepdims=True)


def test_projection_accepts_reference():
    result = verdict_projection(checks_04.project_reference)
    assert result.passed, result.message


@pytest.mark.parametrize("mistake", [project_onto_ball, project_by_batch_norm, project_by_squared_norm],
                         ids=["ball-not-sphere", "one-norm-for-the-batch", "squared-norm"])
def test_projection_rejects(mistake):
    result = verdict_projection(mistake)
    assert not result.passed and "norms" in result.message, result.message


# --------------------------------------------------------------------------- activation maximisation
def maximise_without_projection(model, layer, units, rho, steps=100, step_size=0.1, starts=16, seed=0):
    """Plain gradient ascent from a start on the sphere: the norm is never constrained again."""
    extractor = models.feature_extractor(model, layer)
    units = np.asarray(units)
    index = tf.constant(np.stack([np.arange(len(units)), *units.T], axis=1))
    x = tf.convert_to_tensor(checks_04.project_reference(
        np.random.default_rng(seed).uniform(size=(len(units), 28, 28, 1)), rho).astype(np.float32))
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(tf.gather_nd(extractor(x), index))
        x = x + step_size * tape.gradient(total, x)
    return x


def random_images_on_the_sphere(model, layer, units, rho, steps=100, step_size=0.1, starts=16, seed=0):
    noise = np.random.default_rng(seed).normal(size=(len(units), 28, 28, 1))
    return checks_04.project_reference(noise, rho)


def test_activation_maximisation_accepts_reference():
    result = verdict_activation(checks_04.activation_maximisation_reference)
    assert result.passed, result.message


@pytest.mark.parametrize("mistake, expected", [(maximise_without_projection, "after *every* gradient step"),
                                               (random_images_on_the_sphere, "random images")],
                         ids=["no-projection", "random-images"])
def test_activation_maximisation_rejects(mistake, expected):
    result = verdict_activation(mistake)
    assert not result.passed and expected in result.message, result.message


# --------------------------------------------------------------------------- class models
def objective_with(model, x, classes, lam, *, softmax=False, sign=-1.0, square=True):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    scores = model(x, training=False)
    if softmax:
        scores = tf.nn.softmax(scores)
    chosen = tf.gather(scores, np.asarray(classes), axis=1, batch_dims=1)
    squares = tf.reduce_sum(tf.square(x), axis=[1, 2, 3])
    return chosen + sign * lam * (squares if square else tf.sqrt(squares))


def ascend(objective, model, classes, lam, steps=200, step_size=0.5, seed=0):
    x = tf.convert_to_tensor(0.01 * np.random.default_rng(seed).normal(size=(len(classes), 28, 28, 1)),
                             dtype=tf.float32)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = tf.reduce_sum(objective(model, x, classes, lam))
        x = x + step_size * tape.gradient(value, x)
    return x


OBJECTIVE_MISTAKES = {
    "softmax-not-logit": lambda model, x, classes, lam: objective_with(model, x, classes, lam, softmax=True),
    "penalty-wrong-sign": lambda model, x, classes, lam: objective_with(model, x, classes, lam, sign=1.0),
    "norm-not-squared": lambda model, x, classes, lam: objective_with(model, x, classes, lam, square=False),
    "wrong-class": lambda model, x, classes, lam: objective_with(model, x, (np.asarray(classes) + 1) % 10, lam),
}


def test_class_objective_accepts_reference():
    result = verdict_class_objective(checks_04.class_objective_reference)
    assert result.passed, result.message


@pytest.mark.parametrize("name", sorted(OBJECTIVE_MISTAKES))
def test_class_objective_rejects(name):
    result = verdict_class_objective(OBJECTIVE_MISTAKES[name])
    assert not result.passed and "f(x)_c - lambda" in result.message, result.message


def test_class_model_accepts_reference():
    result = verdict_class_model(checks_04.class_model_reference)
    assert result.passed, result.message


@pytest.mark.parametrize("name", ["softmax-not-logit", "penalty-wrong-sign", "wrong-class"])
def test_class_model_rejects_an_ascent_of_the_wrong_objective(name):
    result = verdict_class_model(lambda model, classes, lam, steps=100, **options: ascend(
        OBJECTIVE_MISTAKES[name], model, classes, lam, steps))
    assert not result.passed and "class_model" in result.message, result.message


# --------------------------------------------------------------------------- total variation
def tv_without_square(x, beta=2.0):
    x = np.asarray(x, dtype=np.float64)
    right = x[:, :-1, 1:] - x[:, :-1, :-1]
    down = x[:, 1:, :-1] - x[:, :-1, :-1]
    return np.sum((np.abs(right) + np.abs(down)) ** (beta / 2), axis=(1, 2, 3))


def tv_full_differences(x, beta=2.0):
    """Differences over whole rows and columns: a different boundary than the notebook's formula."""
    x = np.asarray(x, dtype=np.float64)
    right, down = np.diff(x, axis=2), np.diff(x, axis=1)
    return np.sum(right ** 2, axis=(1, 2, 3)) ** (beta / 2) + np.sum(down ** 2, axis=(1, 2, 3)) ** (beta / 2)


def tv_power_beta(x, beta=2.0):
    x = np.asarray(x, dtype=np.float64)
    right = x[:, :-1, 1:] - x[:, :-1, :-1]
    down = x[:, 1:, :-1] - x[:, :-1, :-1]
    return np.sum((right ** 2 + down ** 2) ** beta, axis=(1, 2, 3))


def test_tv_accepts_reference():
    result = verdict_tv(checks_04.total_variation_reference)
    assert result.passed, result.message


@pytest.mark.parametrize("mistake", [tv_without_square, tv_full_differences, tv_power_beta],
                         ids=["differences-not-squared", "norms-of-whole-difference-images", "power-beta"])
def test_tv_rejects(mistake):
    result = verdict_tv(mistake)
    assert not result.passed and "total_variation" in result.message, result.message


# --------------------------------------------------------------------------- inversion
def reference_inversion_loss(model, layer, x, target_features, lam, mu, beta=2.0):
    reference = importlib.import_module("autograder.checks._visualising_reference")
    return reference.inversion_loss_tf(models.feature_extractor(model, layer), x, target_features, lam, mu, beta)


def inversion_loss_with(model, layer, x, target_features, lam, mu, beta=2.0, *, sign=1.0, square=True,
                        layer_of=None):
    extractor = models.feature_extractor(model, layer_of or layer)
    mismatch = tf.reduce_sum(tf.square(extractor(x) - target_features), axis=list(range(1, 4)))
    if not square:
        mismatch = tf.sqrt(mismatch)
    right = x[:, :-1, 1:, :] - x[:, :-1, :-1, :]
    down = x[:, 1:, :-1, :] - x[:, :-1, :-1, :]
    tv = tf.reduce_sum(tf.square(right) + tf.square(down), axis=[1, 2, 3])
    return mismatch + sign * (lam * tf.reduce_sum(tf.square(x), axis=[1, 2, 3]) + mu * tv)


def inversion_loss_in_numpy(model, layer, x, target_features, lam, mu, beta=2.0):
    values = reference_inversion_loss(model, layer, x, target_features, lam, mu, beta)
    return tf.constant(np.asarray(values))  # cut off from x: no gradient


def layer_input(model, layer, x, target_features, lam, mu, beta=2.0):
    """phi taken at the layer's input (one layer too early): pool2's input is conv2's output."""
    names = [item.name for item in model.layers]
    return inversion_loss_with(model, layer, x, target_features, lam, mu, layer_of=names[names.index(layer) - 1])


def test_inversion_loss_accepts_reference():
    result = verdict_inversion_loss(reference_inversion_loss)
    assert result.passed, result.message


@pytest.mark.parametrize("mistake", [
    lambda *args, **options: inversion_loss_with(*args, sign=-1.0),
    lambda *args, **options: inversion_loss_with(*args, square=False),
    inversion_loss_in_numpy,
    layer_input,
], ids=["regulariser-wrong-sign", "mismatch-not-squared", "no-gradient", "wrong-layer"])
def test_inversion_loss_rejects(mistake):
    result = verdict_inversion_loss(mistake)
    assert not result.passed and "inversion_loss" in result.message, result.message


def test_inversion_accepts_reference():
    result = verdict_inversion(checks_04.invert_reference)
    assert result.passed, result.message


def invert_on_the_wrong_layer(model, layer, target_features, lam, mu, steps=200, step_size=0.05, beta=2.0, seed=0):
    """Descends the objective of the layer before the named one (an off-by-one in model.layers)."""
    names = [item.name for item in model.layers]
    return checks_04.invert_reference(model, names[names.index(layer) + 1], target_features, lam, mu, steps)


def invert_ascending(model, layer, target_features, lam, mu, steps=200, step_size=0.05, beta=2.0, seed=0):
    return checks_04.invert_reference(model, layer, target_features, lam, mu, 0) * 0.0 + 0.5


@pytest.mark.parametrize("mistake", [invert_on_the_wrong_layer, invert_ascending], ids=["wrong-layer", "grey-image"])
def test_inversion_rejects(mistake):
    result = verdict_inversion(mistake)
    assert not result.passed and "invert_representation" in result.message, result.message


# --------------------------------------------------------------------------- helpers and the notebook
def test_feature_extractor_names_the_layers_it_has():
    model = models.build_small_cnn((4, 8))
    assert models.feature_extractor(model, "pool2").output_shape == (None, 5, 5, 8)
    with pytest.raises(ValueError, match="conv1"):
        models.feature_extractor(model, "conv3")


def test_value_and_input_gradient_refuses_a_value_cut_off_from_x():
    x = np.ones((2, 3, 3, 1), dtype=np.float32)
    values, gradient = models.value_and_input_gradient(lambda images: tf.reduce_sum(images ** 2, axis=[1, 2, 3]), x)
    assert np.allclose(values, 9.0) and np.allclose(gradient, 2.0)
    with pytest.raises(ValueError, match="no gradient"):
        models.value_and_input_gradient(lambda images: tf.constant(np.zeros(2)), x)


def test_random_small_cnn_has_biases_so_the_zero_image_has_a_gradient():
    probe = models.random_small_cnn((4, 8), seed=0)
    assert np.any(probe.get_layer("conv1").get_weights()[1] != 0)
    _, gradient = models.value_and_input_gradient(lambda x: probe(x)[:, 3], np.zeros((1, 28, 28, 1)))
    assert np.abs(gradient).max() > 0
