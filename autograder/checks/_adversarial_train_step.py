"""The hidden check of 03_adversarial's ``adversarial_train_step`` (grader side only).

Why a function check: the artifact ``robust_cnn.keras`` shows that a model is robust,
not how it was trained. In the smoke profile a model fine-tuned on FGSM examples
computed once, before training, is as robust as one trained on examples made with the
current weights (``_adversarial_robust``), so only the step itself can show the
difference: Goodfellow et al.'s objective is
``0.5 * CE(f_theta(x), y) + 0.5 * CE(f_theta(FGSM_theta(x)), y)``, with the FGSM
examples made by the *current* ``theta`` at every step.

How: the grade cell hands over ``models.run_train_steps(adversarial_train_step, …)``,
which rebuilds a hidden model from its weights, calls the student's step ``steps``
times on one hidden batch with plain SGD, and returns the loss of every call and the
weights after the last. The grader replays the same steps with the reference:

- on random **linear softmax models**, in float64 NumPy from the closed-form
  gradients (input gradient ``(p - onehot) @ W.T``; weight gradient
  ``X.T @ (p - onehot) / N``), so the comparison is exact up to float32 rounding;
- on the hidden small **CNN**, with TensorFlow (float32) and the reference FGSM.

Several steps on the same batch with a learning rate large enough to move the FGSM
examples: examples made once (cached from the first call, or by another model) give
the right first loss and then drift away (measured below). Images
``x: (N, 28, 28, 1)`` float32 in [0, 1], labels ``(N,)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks._adversarial_hidden import NUM_CLASSES, hidden_cnn_weights, random_linear, test_images
from autograder.checks._adversarial_reference import fgsm_reference
from autograder.verdicts.judging import Cases, Verdict
from course_utils.judge import CaseResult

CHECK_ID = "adversarial_train_step"

# --------------------------------------------------------------------------- tolerances
# Measured 2026-12-02 over the hidden cases of seeds 0-19 (each case separately) with the
# corpus's functions (tests/answers/03_adversarial/adversarial_train_step_*): the
# notebook's step and right alternatives (clean and FGSM images in one batch of 2N with a
# loss object, FGSM inside the tape without stop_gradient, training=False, tf.function,
# optimizer.apply) have a loss relative error <= 3.8e-7 and weights' distance from the
# reference, relative to the reference's total update, <= 5.1e-6. Mistakes, smallest
# error over the seeds and cases (largest over the steps of a case): examples made once
# at the first call, or by a frozen copy of the starting model: 2.7e-2 on the loss (the
# first step is exact, later ones drift), 2.4e-2 on the weights; clean loss only,
# adversarial loss only, sum instead of mean, no update, ascent, its own Adam, the loss
# recomputed after the update, from_logits=False, FGSM descending: >= 9.9e-2 on the loss.
# The bars sit over two orders of magnitude above the right answers and 24-270x below
# the mistakes.
LOSS_RTOL = 1e-4
WEIGHTS_RTOL = 1e-3

# --------------------------------------------------------------------------- cases
LINEAR_LEARNING_RATE = 0.5  # moves a random linear model's FGSM signs within a step or two
CNN_LEARNING_RATE = 0.1
STEPS = 4


def make_cases(rng: np.random.Generator) -> Cases:
    """Two linear cases (digits at eps 0.1, noise at eps 0.03) and one CNN case at eps 0.15."""
    digits, digit_labels = test_images(rng, 32)
    noise = rng.uniform(0.0, 1.0, size=(16, 28, 28, 1)).astype(np.float32)
    cnn_x, cnn_y = test_images(rng, 64)
    return [
        {**random_linear(rng), "x": digits, "y": digit_labels, "eps": 0.1,
         "learning_rate": LINEAR_LEARNING_RATE, "steps": STEPS},
        {**random_linear(rng), "x": noise, "y": rng.integers(0, NUM_CLASSES, size=16), "eps": 0.03,
         "learning_rate": LINEAR_LEARNING_RATE, "steps": 3},
        {**hidden_cnn_weights(), "x": cnn_x, "y": cnn_y, "eps": 0.15,
         "learning_rate": CNN_LEARNING_RATE, "steps": 3},
    ]


# --------------------------------------------------------------------------- references
def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def linear_reference(case: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Losses (steps,) and flat weights after the steps, in float64, for a linear case."""
    kernel, bias = case["kernel"].astype(np.float64), case["bias"].astype(np.float64)
    x = np.asarray(case["x"], dtype=np.float64).reshape(len(case["x"]), -1)
    labels = np.asarray(case["y"])
    onehot = np.eye(kernel.shape[1])[labels]
    rows = np.arange(len(labels))
    losses = []
    for _ in range(int(case["steps"])):
        clean = _softmax(x @ kernel + bias)
        adversarial_x = np.clip(x + case["eps"] * np.sign((clean - onehot) @ kernel.T), 0.0, 1.0)
        adversarial = _softmax(adversarial_x @ kernel + bias)
        losses.append(-0.5 * np.log(clean[rows, labels]).mean() - 0.5 * np.log(adversarial[rows, labels]).mean())
        kernel_gradient = 0.5 * (x.T @ (clean - onehot) + adversarial_x.T @ (adversarial - onehot)) / len(labels)
        bias_gradient = 0.5 * ((clean - onehot) + (adversarial - onehot)).sum(axis=0) / len(labels)
        kernel = kernel - case["learning_rate"] * kernel_gradient
        bias = bias - case["learning_rate"] * bias_gradient
    return np.asarray(losses), np.concatenate([kernel.ravel(), bias.ravel()])


def cnn_reference(case: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Losses (steps,) and flat weights after the steps, with TensorFlow, for a CNN case."""
    import keras
    import tensorflow as tf

    from course_utils import models

    model = models.classifier_from_weights({name: case[name] for name in hidden_cnn_weights()})
    x = tf.convert_to_tensor(np.asarray(case["x"], dtype=np.float32))
    labels = tf.convert_to_tensor(np.asarray(case["y"], dtype=np.int64))
    losses = []
    for _ in range(int(case["steps"])):
        adversarial = tf.convert_to_tensor(fgsm_reference(model, x, labels, case["eps"]))
        with tf.GradientTape() as tape:
            loss = 0.5 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
                labels, model(x), from_logits=True)) + 0.5 * tf.reduce_mean(
                keras.losses.sparse_categorical_crossentropy(labels, model(adversarial), from_logits=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        for variable, gradient in zip(model.trainable_variables, gradients):
            variable.assign_sub(case["learning_rate"] * gradient)
        losses.append(float(loss))
    return np.asarray(losses), np.concatenate([np.ravel(w) for w in model.get_weights()])


# --------------------------------------------------------------------------- judge
def _start(case: dict[str, Any]) -> np.ndarray:
    """The case's weights flattened in ``model.get_weights()`` order (kernel before bias, layer by layer)."""
    layers = ("",) if "kernel" in case else ("conv1_", "conv2_", "logits_")
    return np.concatenate([np.ravel(case[f"{layer}{part}"]) for layer in layers for part in ("kernel", "bias")])


def _hint(losses: np.ndarray, expected: np.ndarray, start: np.ndarray, weights: np.ndarray) -> str:
    """What the way the student's trajectory differs from the reference suggests."""
    if np.allclose(weights, start):
        return ("the weights did not change: compute the gradient of the loss with respect to "
                "model.trainable_variables and call optimizer.apply_gradients (with the optimizer passed in)")
    first_right = abs(losses[0] - expected[0]) <= LOSS_RTOL * abs(expected[0])
    if first_right:
        return ("the first step is right but later ones are not: make the FGSM examples inside the step, "
                "with the model's current weights, every time it is called (not once, and not with another "
                "model); and update the weights with the optimizer that is passed in")
    return ("return 0.5 * mean CE(model(x), y) + 0.5 * mean CE(model(fgsm(model, x, y, eps)), y), computed from "
            "the logits (from_logits=True), and take one optimizer step on the gradient of that same loss")


def judge(cases: Cases, results: list[CaseResult]) -> Verdict:
    """Compare each case's losses and final weights with the reference trajectory."""
    for case, result in zip(cases, results):
        steps = int(case["steps"])
        if result.outputs is None or len(result.outputs) != 2:
            return Verdict(False, f"{CHECK_ID}: expected (losses, weights) from the grade cell's wrapper.")
        losses, weights = (np.asarray(output, dtype=np.float64) for output in result.outputs)
        expected_losses, expected_weights = linear_reference(case) if "kernel" in case else cnn_reference(case)
        start = _start(case)
        where = (f"on a hidden {'linear model' if 'kernel' in case else 'CNN'} ({len(case['y'])} images, "
                 f"eps = {case['eps']:g}, {steps} steps of SGD with learning rate {case['learning_rate']:g})")
        if losses.shape != (steps,):
            return Verdict(False, f"{CHECK_ID}: {where} each call returned a loss of shape {losses.shape[1:]}: "
                                  "return one scalar, the mean of the objective over the batch.")
        if weights.shape != expected_weights.shape:
            return Verdict(False, f"{CHECK_ID}: {where} the model's weights changed shape; update them in place "
                                  "with optimizer.apply_gradients.")
        if not (np.all(np.isfinite(losses)) and np.all(np.isfinite(weights))):
            return Verdict(False, f"{CHECK_ID}: {where} the loss or the weights became NaN or infinite (or the "
                                  "step returned None instead of the loss).")
        loss_error = np.abs(losses - expected_losses) / np.abs(expected_losses)
        update = np.linalg.norm(expected_weights - start)
        weights_error = float(np.linalg.norm(weights - expected_weights) / update)
        if np.any(loss_error > LOSS_RTOL) or weights_error > WEIGHTS_RTOL:
            shown = ", ".join(f"{value:.4f}" for value in losses)
            wanted = ", ".join(f"{value:.4f}" for value in expected_losses)
            return Verdict(False, f"{CHECK_ID}: {where} your step returned the losses {shown} where the "
                                  f"reference gives {wanted}; {_hint(losses, expected_losses, start, weights)}.")
    return Verdict(True, f"{CHECK_ID}: the losses and the weights after several SGD steps match the reference on "
                         "hidden linear models and a hidden CNN, with FGSM examples made by the current weights.")
