"""The contract of each function check of 03_adversarial, clause by clause (``judging.Clause``).

Why: a hidden check can only hold a function to what some hidden case exercises. Each clause
below is one promise of the exercise's text in ``solutions/03_adversarial`` (every argument,
each optional one at a non-default value; the input left as it is; what is returned: images of
the shape of ``x`` within the budget and [0, 1], one shared ``delta``, a scalar loss), the
predicate that recognises the fixed hidden case of ``03_adversarial`` (or
``_adversarial_train_step``) exercising it whatever the secret, and the answer-corpus mistake
``tests/answers/03_adversarial/<mistake>.py`` that breaks it and that the check must fail.
``tests/test_contract_coverage.py`` enforces all three.
"""

from __future__ import annotations

from typing import Any

from autograder.verdicts.judging import Clause


def _linear(case: dict[str, Any]) -> bool:
    return "kernel" in case


def _cnn(case: dict[str, Any]) -> bool:
    return "conv1_kernel" in case


def _linear_digits(case: dict[str, Any]) -> bool:
    """The linear case on MNIST digits (pixels at exactly 0 and 1: clipping matters) at eps = 0.1."""
    return _linear(case) and case["eps"] == 0.1


def _attack_clauses(name: str, *, steps: bool) -> tuple[Clause, ...]:
    """What every attack promises: the input left as it is, and images of the shape of x returned."""
    clauses = (Clause("x is not changed in place (NumPy input)", _linear_digits, f"{name}_in_place", "x"),
               Clause("returns the adversarial images, one array of the shape of x", _linear,
                      f"{name}_returns_perturbation_too"))
    if steps:
        clauses += (Clause("the pixels stay in [0, 1] (digits at exactly 0 and 1)", _linear_digits,
                           f"{name}_no_pixel_clip"),
                    Clause("projected onto the eps-ball around the *original* x after every step (6 steps of 0.03 "
                           "would leave the 0.1-ball)",
                           lambda c: _linear_digits(c) and c["steps"] * c["alpha"] > c["eps"],
                           f"{name}_without_projection", "eps"))
    return clauses


CLAUSES: dict[str, tuple[Clause, ...]] = {
    "fgsm": _attack_clauses("fgsm", steps=False) + (
        Clause("eps is the one given (0.1 and 0.03 on linear models)", lambda c: _linear(c) and c["eps"] == 0.03,
               "fgsm_global_epsilon", "eps"),
        Clause("eps = 0: nothing moves", lambda c: c["eps"] == 0.0, "fgsm_global_epsilon", "eps"),
        Clause("ascends the cross-entropy of the *true* labels y", _linear, "fgsm_descending", "y"),
        Clause("the sign of the gradient, not the gradient itself", _linear, "fgsm_raw_gradient"),
        Clause("the gradient's signs, not random ones", _linear, "fgsm_random_signs"),
        Clause("the model returns logits: from_logits=True", _linear, "fgsm_on_probabilities", "model"),
        Clause("clipped to [0, 1]", _linear_digits, "fgsm_without_clipping"),
        Clause("hurts a real CNN (accuracy at eps = 0.25 below the bar)", _cnn, "fgsm_scaled_gradient"),
    ),
    "iterative_fgsm": _attack_clauses("iterative", steps=True) + (
        Clause("exactly `steps` steps (5 and 6 on linear models, 20 on the CNN)",
               lambda c: _linear(c) and c["steps"] == 5,
               "iterative_returns_in_loop", "steps"),
        Clause("each step of size alpha, not eps", lambda c: _linear(c) and c["alpha"] < c["eps"],
               "iterative_one_step", "alpha"),
        Clause("the gradient recomputed at the current x_adv in every step", lambda c: _linear(c) and c["steps"] > 1,
               "iterative_stale_gradient", "y"),
    ),
    "targeted_fgsm": _attack_clauses("targeted", steps=True) + (
        Clause("descends the loss of the target class", _linear, "targeted_ascending", "alpha"),
        Clause("the class reached is `target` (never a true label)", _cnn, "targeted_ignoring_target", "target"),
    ),
    "universal_perturbation": (
        Clause("|delta| <= eps (clipped after every step)", lambda c: c["eps"] == 0.25, "universal_unprojected", "eps"),
        Clause("ascends the *mean* loss of the batch", lambda c: c["eps"] == 0.25, "universal_descending", "y"),
        Clause("one delta (28, 28, 1) shared by all images", lambda c: len(c["x"]) > 1, "universal_per_image", "x"),
        Clause("universal: it fools held-out images, not one image's perturbation",
               lambda c: c["eps"] == 0.25, "universal_one_image_fgsm", "model"),
        Clause("step_size given (0.03): each sign step has that size", lambda c: c.get("step_size") == 0.03,
               "universal_ignores_step_size", "step_size"),
        Clause("epochs given (1): that many passes over the data", lambda c: c.get("epochs") == 1,
               "universal_ignores_epochs", "epochs"),
        Clause("batch_size given (150, all the images): one step per batch of that size",
               lambda c: c.get("batch_size") == 150 and len(c["x"]) == 150, "universal_ignores_batch_size",
               "batch_size"),
    ),
    "adversarial_train_step": (
        Clause("the FGSM examples are made in every step with the current weights (checked from the second step)",
               lambda c: c["steps"] >= 2, "adversarial_train_step_examples_made_once", "x"),
        Clause("the objective is 0.5 CE(clean) + 0.5 CE(FGSM): the clean half", lambda c: True,
               "adversarial_train_step_adversarial_loss_only", "y"),
        Clause("the objective is 0.5 CE(clean) + 0.5 CE(FGSM): the adversarial half", lambda c: c["eps"] > 0,
               "adversarial_train_step_clean_loss_only", "eps"),
        Clause("the mean over the batch, not the sum", _linear, "adversarial_train_step_summed"),
        Clause("returns one scalar: the loss before the update", _linear, "adversarial_train_step_per_example_loss"),
        Clause("returns the loss at the weights the step started from", _linear,
               "adversarial_train_step_returns_loss_after_update"),
        Clause("one step of the optimizer passed in (plain SGD here)", _linear, "adversarial_train_step_own_optimizer",
               "optimizer"),
        Clause("the update is applied, downhill", _linear, "adversarial_train_step_ascends", "model"),
        Clause("the update is applied at all", _linear, "adversarial_train_step_no_update"),
        Clause("the model returns logits: from_logits=True", _cnn, "adversarial_train_step_probabilities"),
        Clause("the examples come from the model being trained, not a frozen copy", _cnn,
               "adversarial_train_step_examples_of_a_frozen_copy"),
    ),
}
