"""The contract of each function check of 04_visualising, clause by clause (``judging.Clause``).

Why: a hidden check can only hold a function to what some hidden case exercises. Each clause
below is one promise of the exercise's text in ``solutions/04_visualising`` (every argument,
each optional one at a non-default value; statefulness: the same seed, the same images;
invariances; what is returned: logits, shape, norm), the predicate that recognises the fixed
hidden case of ``_visualising_cases`` exercising it (whatever the secret), and the answer-corpus
mistake ``tests/answers/04_visualising/<mistake>.py`` that breaks it and that the check must fail.
``tests/test_contract_coverage.py`` enforces all three.
"""

from __future__ import annotations

from typing import Any

from autograder.verdicts.judging import Clause


def _cnn(case: dict[str, Any]) -> bool:
    return "conv1_kernel" in case


def _linear(case: dict[str, Any]) -> bool:
    return "kernel" in case


CLAUSES: dict[str, tuple[Clause, ...]] = {
    "saliency_map": (
        Clause("the class of each image is the one given in `classes`, not the predicted one (half the "
               "hidden classes are not the true label)", lambda c: _linear(c) and "classes" in c,
               "saliency_predicted_class", "classes"),
        Clause("S_c is the logit, not the softmax probability (a linear model's logit gradient is exact)",
               _linear, "saliency_softmax", "model"),
        Clause("the map is |gradient|: non-negative", _cnn, "saliency_signed_gradient", "x"),
        Clause("returns (N, H, W): the channel axis maximised away", lambda c: "x" in c,
               "saliency_keeps_channel_axis"),
    ),
    "project_to_sphere": (
        Clause("images smaller than rho are scaled up (the sphere, not the ball)",
               lambda c: c["x"].shape == (3, 7, 9, 3), "project_onto_ball", "x"),
        Clause("each image by its own norm (a batch of images of very different norms)",
               lambda c: len(c["x"]) > 1, "project_one_norm_for_the_batch", "rho"),
    ),
    "activation_maximisation": (
        Clause("every image ends on the sphere ||x|| = rho (projected after every step)",
               lambda c: c.get("steps") == 50, "am_no_projection", "rho"),
        Clause("every unit of `units` is raised well above random images of the norm rho (judged per unit: "
               "a unit that is 0 at a single start never moves)",
               lambda c: c.get("steps") == 50 and c["layer"] == "pool2",
               "activation_max_single_start", "units"),
        Clause("steps=0 returns the starts: exactly `steps` steps are taken",
               lambda c: c.get("steps") == 0 and "starts" not in c, "activation_max_ignores_steps", "steps"),
        Clause("step_size scales each step: 10 steps of step_size=0 stay at the start",
               lambda c: c.get("step_size") == 0.0, "activation_max_ignores_step_size", "step_size"),
        Clause("the starts are drawn from `seed`: the same seed gives the same images",
               lambda c: c.get("steps") == 0 and c.get("seed") == 5, "activation_max_unseeded", "seed"),
        Clause("another seed gives other starts", lambda c: c.get("steps") == 0 and c.get("seed") == 6,
               "activation_max_ignores_seed", "seed"),
        Clause("each unit starts from the best of `starts` random images (starts=1 at steps=0: one random "
               "image, not the best of the default 16)", lambda c: c.get("starts") == 1,
               "activation_max_ignores_starts", "starts"),
    ),
    "class_model_objective": (
        Clause("f(x)_c is the logit, not the softmax", _linear, "class_objective_softmax", "model"),
        Clause("the class is classes[n], not the predicted one", _cnn, "class_objective_predicted_class", "classes"),
        Clause("the penalty is lambda times the *squared* L2 norm", _linear, "class_objective_norm_not_squared", "x"),
        Clause("the penalty is subtracted", _linear, "class_objective_penalty_added"),
        Clause("lam is the one given (0.03 on images with negative pixels)", lambda c: c["lam"] == 0.03,
               "class_objective_ignores_lam", "lam"),
    ),
    "class_model": (
        Clause("ascends the objective from small noise: the target logit, the share classified as their class "
               "and the objective reach their bars", lambda c: c.get("steps") == 100, "class_model_descends",
               "classes"),
        Clause("start given: the ascent starts there (steps=0 returns it)", lambda c: "start" in c and c["steps"] == 0,
               "class_model_ignores_start", "start"),
        Clause("exactly `steps` steps (steps=0 from a given start returns it)",
               lambda c: "start" in c and c["steps"] == 0, "class_model_ignores_steps", "steps"),
        Clause("step_size scales each step: 3 steps of step_size=0 stay at the given start",
               lambda c: c.get("step_size") == 0.0, "class_model_ignores_step_size", "step_size"),
        Clause("start None: the noise is drawn from `seed` (the same seed, the same images)",
               lambda c: c.get("seed") == 7 and "start" not in c, "class_model_unseeded", "seed"),
    ),
    "total_variation": (
        Clause("beta given (1, 1.5): the power beta / 2 of each position's summed squared differences",
               lambda c: c.get("beta") == 1.0, "tv_ignores_beta", "beta"),
        Clause("beta left out: its default is 2", lambda c: "beta" not in c, "tv_default_beta_one", "beta"),
        Clause("the differences are squared before the power", lambda c: c.get("beta") == 1.0,
               "tv_differences_not_squared", "x"),
        Clause("per position, not per whole difference image; non-square and multi-channel inputs",
               lambda c: c["x"].shape == (4, 6, 5, 3), "tv_whole_difference_images"),
    ),
    "inversion_loss": (
        Clause("phi is the output of the named layer (conv1 and pool2)", lambda c: c["layer"] == "pool2",
               "inversion_loss_layer_input", "layer"),
        Clause("the feature mismatch is squared", lambda c: "target_features" in c,
               "inversion_loss_mismatch_not_squared", "target_features"),
        Clause("the regularisers lam ||x||^2 and mu TV^beta are added", lambda c: c["mu"] > 0,
               "inversion_loss_regulariser_subtracted", "mu"),
        Clause("its gradient with respect to x is right: TensorFlow operations on x", lambda c: "x" in c,
               "inversion_loss_numpy", "x"),
        Clause("beta given (3, 4): the smoothness term is mu * total_variation(x, beta)",
               lambda c: c.get("beta") in (3.0, 4.0), "inversion_ignores_beta", "beta"),
    ),
    "invert_representation": (
        Clause("descends the objective: the feature mismatch of both layers falls below the bar in 50 steps",
               lambda c: c.get("steps") == 50, "invert_ascends", "target_features"),
        Clause("the features are those of the named layer", lambda c: c.get("steps") == 50 and c["layer"] == "pool2",
               "invert_wrong_layer", "layer"),
        Clause("exactly `steps` steps: steps=0 returns the start", lambda c: c.get("steps") == 0,
               "invert_ignores_steps", "steps"),
        Clause("step_size scales each step: 3 steps of step_size=0 stay at the start",
               lambda c: c.get("step_size") == 0.0, "invert_ignores_step_size", "step_size"),
        Clause("the start is drawn from `seed`: the same seed gives the same images",
               lambda c: c.get("steps") == 0 and "seed" in c, "invert_unseeded", "seed"),
        Clause("beta given (4, with a large mu): the first step goes against the gradient of that objective",
               lambda c: c.get("beta") == 4.0, "invert_ignores_beta", "beta"),
    ),
}
