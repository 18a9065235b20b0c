"""Hidden checks of 04_visualising: saliency, projection onto a sphere, activation
maximisation, class-model visualisation, total variation and inverting a representation.

The students' contract (see the notebook): models take images ``x: (N, 28, 28, 1)``
float32 in ``[0, 1]`` (channels last) and return ``(N, 10)`` **logits**; intermediate
layers are named (``conv1``, ``pool1``, ``conv2``, ``pool2``) and reached through
``course_utils.models.feature_extractor``.

The hidden model is week 3's hidden small CNN (``build_small_cnn((8, 16))``, trained
with fixed seeds and cached by ``03_adversarial``: the course's hidden CNN lives in one
place); the student never saw it. Its weights travel as named arrays and the grade
cell rebuilds it with ``course_utils.models.classifier_from_weights``. Random linear
models, whose logit gradients are known in closed form, check the saliency and the
class-model objective exactly. Values are compared with ``_visualising_reference``
on hidden tensors; optimisers (activation maximisation, class models, inversion) are
judged by their *effect* on the hidden CNN, with bars calibrated on the reference
(measured values beside each bar; the hidden CNN and the cases are the same in the
smoke and full profiles, so each bar holds for both); activation maximisation unit by
unit. Each clause of an exercise's text has a fixed hidden case (``_visualising_cases``;
the list in ``_visualising_contract``): optional arguments such as ``start``, ``steps``,
``step_size``, ``seed``, ``starts`` and ``beta`` are judged by comparing calls
(``steps=0`` returns the start, ``step_size=0`` stays there, the same seed gives the same
images) or, for ``beta``, by the direction of one step (``_visualising_clauses``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.checks._visualising_cases import (  # noqa: F401 - tests and benchmarks use them from here
    AM_LAYERS, AM_ONE_START, AM_OTHER_SEED, AM_RHO, AM_SAME_SEED, AM_START, AM_STEPS, AM_STILL, AM_UNITS,
    CLASS_AT_START, CLASS_LAMBDA, CLASS_SAME_SEED, CLASS_SEEDED, CLASS_STEPS, CLASS_STILL, IMAGE_SHAPE,
    INVERSION_IMAGES, INVERSION_LAMBDA, INVERSION_LAYERS, INVERSION_MU, INVERSION_STEPS, INVERT_BETA,
    INVERT_SAME_SEED, INVERT_START, INVERT_STILL, LAYER_SHAPES, NUM_CLASSES, hidden_cnn_weights,
    make_activation_cases, make_class_model_cases, make_class_objective_cases, make_inversion_cases,
    make_inversion_loss_cases, make_projection_cases, make_saliency_cases, make_tv_cases, mean_image)
from autograder.checks._visualising_cases import model_of as _model
from autograder.checks import _visualising_clauses as clauses
from autograder.checks._visualising_contract import CLAUSES
from autograder.checks._visualising_reference import (  # noqa: F401 - tests use them from here
    activation_maximisation_reference, class_model_reference, class_objective_reference, feature_mismatch,
    inversion_loss_reference, invert_reference, linear_saliency, project_reference, saliency_reference,
    total_variation_reference, unit_activations)
from autograder.checks._judge_helpers import reporting_problems as _verdict
from autograder.checks._judge_helpers import single_output as _output
from autograder.verdicts.judging import Cases, FunctionCheck, Verdict
from course_utils.judge import CaseResult

ASSIGNMENT = "04_visualising"

# --------------------------------------------------------------------------- tolerances
# Values computed in float32 by the student and float64 here: the largest difference as a
# share of the largest reference value (as course_utils.checks.scaled_error). Measured with the
# solution notebook's functions on the hidden cases: <= 1.4e-7 (projection, TV, class
# objective), 0 (saliency, inversion loss and its gradient: the same TensorFlow ops); the
# mistakes of tests/test_04_visualising_checks.py are 0.06-7.5 off on their worst case.
VALUE_TOLERANCE = 1e-4
GRADIENT_TOLERANCE = 1e-3
NORM_TOLERANCE = 1e-3  # |‖x‖ - rho| / rho after the last projection (float32 rounding: ~1e-7)

# --------------------------------------------------------------------------- effect bars
# Measured with the reference optimisers of _visualising_reference on the hidden CNN, on the
# cases of 3 generator seeds (COURSE_JUDGE_SECRET "", "a", "b"; 2026-12-02, through
# run_function_check_inline as tests/test_04_visualising_checks.py runs them). The hidden CNN
# and the cases do not depend on the profile, so each bar holds for smoke and full alike.
#
# Activation maximisation (rho = 10, 50 steps, 8 units of conv2 and 8 of pool2, best of 16
# starts), judged per unit (the exercise is per unit: a median hid two dead units): a_u(x) /
# (largest a_u over 64 random Gaussian images of norm rho), every unit: the reference reaches
# 6.4-25.7 on each of its 16 units under the secrets "", "a", "b", "c", "d", "contract-coverage"
# (2026-12-07); one uniform start per unit (no best of starts) leaves 1-4 of them at exactly 0
# under every one of those secrets -> bar >= 2 per unit (a third of the reference's weakest unit).
# Without the projection the norms end at 10-12.7 and the norm check (NORM_TOLERANCE) fails them.
# The `starts` clause (steps=0, starts=1, 16 units of conv2; a large `starts` would cost hundreds of
# forward passes): each start's a_u as a quantile among 2,048 of the judge's own uniform [-1, 1]
# images on the sphere. One random start per unit gives uniform quantiles: the median of 16 is
# above 0.9 when 8 of 16 are, probability about 4e-5; the best of the default 16 gives Beta(16, 1)
# quantiles, each below 0.9 with probability 0.9^16 = 18.5 %, and its median stays below 0.9 when 8
# of 16 do: about 0.3 %. -> the median over the 16 units must not exceed 0.9.
AM_RANDOM_INPUTS, AM_MIN_UNIT_RATIO = 64, 2.0
AM_QUANTILE_IMAGES, AM_MAX_ONE_START_QUANTILE = 2048, 0.9
SAME_TOLERANCE = 1e-5  # largest |difference| / largest |value| of two calls that must agree (float32)
# Class models (lambda = 0.1, 100 steps, all ten classes), measured -> bar:
#   reference: median target-logit margin over the mean training image 25.5-28.8, 100 % of
#     the classes classified as their class, mean objective 13.7-13.8;
#   ascending the softmax: margin 4.4-4.5, 100 %, objective 2.9;
#   the penalty added (wrong sign): margin ~3e5, 100 %, objective ~ -2e9;
#   lambda ||x|| (not squared): margin 221-249, 100 %, objective -929 to -936;
#   the next class's logit: margin -5.9 to -8.2, 0 %, objective -24 to -26.
#   -> mean objective >= 5 (reference - 8.7; softmax + 2.1), median margin >= 8 (reference
#   - 17, softmax + 3.5) and >= 80 % classified as their class. A class model that is
#   classified right is not enough: every wrong objective but the wrong class gets 100 %.
CLASS_MIN_MARGIN, CLASS_MIN_SHARE, CLASS_MIN_OBJECTIVE = 8.0, 0.8, 5.0
# Inversion (lambda = 1e-3, mu = 1e-2, 50 steps, 6 test digits): the mean over images of
# ||phi(x) - phi_0||^2 / ||phi(0) - phi_0||^2 (the zero image gives 1): reference conv1
# 0.22-0.25 %, pool2 2.1-3.8 % -> bar <= 10 % (2.6x the reference's worst).
INVERSION_MAX_RATIO = 0.1
# The beta clause (one step, beta = 4, mu = 10, from the function's own start): on the pixels
# where the gradients of the beta = 4 and beta = 2 objectives have opposite signs, the step must
# go against the beta = 4 one (plain, normalised or Adam steps all do: their first step has the
# gradient's sign); with fewer than INVERT_MIN_PIXELS such pixels (a zero start, where both TV
# gradients vanish) the case cannot tell and is not held against the answer.
INVERT_MIN_PIXELS, INVERT_MIN_AGREEMENT = 50, 0.9


# --------------------------------------------------------------------------- judging helpers
def _scaled(actual: np.ndarray, expected: np.ndarray) -> float:
    """Largest difference as a share of the largest |expected| (plus a tiny floor)."""
    return float(np.max(np.abs(actual - expected)) / (np.max(np.abs(expected)) + 1e-12))


def _is_linear(case: dict[str, Any]) -> bool:
    return "kernel" in case


# --------------------------------------------------------------------------- judges
def _judge_saliency(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        x = np.asarray(case["x"])
        saliency = _output("saliency_map", result, x.shape[:3], "one map (N, H, W) per image")
        expected = (linear_saliency(case["kernel"], case["classes"], x.shape) if _is_linear(case)
                    else saliency_reference(_model(case), x, case["classes"]))
        error = _scaled(saliency, expected)
        if error > VALUE_TOLERANCE:
            where = "a hidden linear model (its logit gradient is a column of its kernel)" if _is_linear(case) \
                else "a hidden CNN"
            negative = " (yours has negative entries: take |gradient|)" if np.any(saliency < 0) else ""
            return Verdict(False, f"saliency_map: on {where} your maps differ from |d logit_c / dx| by "
                                  f"{error:.1%} of their largest value{negative}. Differentiate the *logit* of the "
                                  "class given in `classes` (not the softmax, not the predicted class), take "
                                  "the absolute value and the maximum over the channel axis.")
    return Verdict(True, "saliency_map: matches |d logit_c / dx| on hidden linear models and a hidden CNN.")


def _judge_projection(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        x = np.asarray(case["x"])
        projected = _output("project_to_sphere", result, x.shape, "x rescaled image by image")
        error = _scaled(projected, project_reference(x, float(case["rho"])))
        if error > VALUE_TOLERANCE:
            norms = np.sqrt(np.sum(projected.reshape(len(x), -1) ** 2, axis=1))
            return Verdict(False, f"project_to_sphere: for rho = {case['rho']:g} your images have norms "
                                  f"{np.array2string(norms, precision=3)}; each image x_n must become "
                                  "rho * x_n / ||x_n||_2 (its own norm, also when it is smaller than rho).")
    return Verdict(True, "project_to_sphere: every hidden image lands on the sphere, its direction kept.")


def _random_baseline(model: Any, layer: str, units: np.ndarray, rho: float, seed: int) -> np.ndarray:
    """Largest a_u over AM_RANDOM_INPUTS random Gaussian images rescaled to norm rho, per unit (U,)."""
    noise = np.random.default_rng(seed).normal(size=(AM_RANDOM_INPUTS * len(units), *IMAGE_SHAPE))
    images = project_reference(noise, rho).astype(np.float32)
    return unit_activations(model, layer, images, np.repeat(units, AM_RANDOM_INPUTS, axis=0)).reshape(
        len(units), AM_RANDOM_INPUTS).max(axis=1)


def _on_sphere_problem(images: np.ndarray, rho: float) -> str | None:
    norms = np.sqrt(np.sum(images.reshape(len(images), -1).astype(np.float64) ** 2, axis=1))
    if np.max(np.abs(norms - rho)) > NORM_TOLERANCE * rho:
        return (f"activation_maximisation: with rho = {rho:g} your images have norms from {norms.min():.4g} to "
                f"{norms.max():.4g}. Start on the sphere and project onto ||x|| = rho (project_to_sphere) "
                "after *every* gradient step.")
    return None


def _judge_activation(cases: Cases, results: list[CaseResult]) -> Verdict:
    outputs = []
    for case, result in zip(cases, results):
        units = np.asarray(case["units"])
        outputs.append(_output("activation_maximisation", result, (len(units), *IMAGE_SHAPE), "one image per unit"))
        problem = _on_sphere_problem(outputs[-1], float(case["rho"]))
        if problem:
            return Verdict(False, problem)
    weakest = []
    for index, layer in enumerate(AM_LAYERS):
        case, images = cases[index], outputs[index]
        units, rho, model = np.asarray(case["units"]), float(case["rho"]), _model(case)
        reached = unit_activations(model, layer, images.astype(np.float32), units)
        ratios = reached / np.maximum(_random_baseline(model, layer, units, rho, seed=index), 1e-6)
        low = int(np.sum(ratios < AM_MIN_UNIT_RATIO))
        if low:
            return Verdict(False, f"activation_maximisation: on layer {layer} of a hidden CNN {low} of your "
                                  f"{len(units)} units stay below {AM_MIN_UNIT_RATIO:g}x the best of "
                                  f"{AM_RANDOM_INPUTS} random images of the same norm (yours: "
                                  f"{np.array2string(ratios, precision=1)}; the reference reaches 6x or more on "
                                  "every unit). Every unit counts: start each one from the best of `starts` random "
                                  "images (a ReLU unit that is 0 at its start never moves), then ascend the "
                                  "gradient of its activation.")
        weakest.append(float(ratios.min()))
    problem = (clauses.repeat_problem("activation_maximisation", outputs[AM_START], outputs[AM_SAME_SEED],
                                      outputs[AM_STILL], SAME_TOLERANCE, still_steps=10,
                                      start_words="the best of the random starts")
               or clauses.other_seed_problem("activation_maximisation", outputs[AM_START], outputs[AM_OTHER_SEED],
                                             SAME_TOLERANCE))
    if problem:
        return Verdict(False, problem)
    case = cases[AM_ONE_START]
    quantiles = clauses.start_quantiles(_model(case), str(case["layer"]), np.asarray(case["units"]),
                                        outputs[AM_ONE_START], float(case["rho"]), AM_QUANTILE_IMAGES)
    if np.median(quantiles) > AM_MAX_ONE_START_QUANTILE:
        return Verdict(False, "activation_maximisation: with steps=0 and starts=1 the median unit responds to its "
                              f"start more than to {np.median(quantiles):.1%} of random images on the sphere: "
                              "these are the best of several random images, not of one. Draw `starts` candidates "
                              "per unit (the number you are given) and keep the best.")
    return Verdict(True, "activation_maximisation: on the sphere, every unit reaches "
                         f"{min(weakest):.1f}x or more the best random image of the same norm, and start, steps, "
                         "step_size, starts and seed do what they say.")


def _judge_class_objective(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        x, classes, lam = np.asarray(case["x"]), np.asarray(case["classes"]), float(case["lam"])
        values = _output("class_model_objective", result, (len(x),), "one value per image")
        if _is_linear(case):
            flat = x.reshape(len(x), -1).astype(np.float64)
            logits = flat @ case["kernel"].astype(np.float64) + case["bias"]
            expected = logits[np.arange(len(x)), classes] - lam * np.sum(flat ** 2, axis=1)
        else:
            expected = class_objective_reference(_model(case), x, classes, lam)
        if _scaled(values, expected) > VALUE_TOLERANCE:
            return Verdict(False, "class_model_objective: on hidden images your values differ from "
                                  "f(x)_c - lambda * ||x||_2^2: use the *logit* of class c (no softmax), "
                                  "subtract (not add) lambda times the *squared* L2 norm of each image.")
    return Verdict(True, "class_model_objective: f(x)_c - lambda ||x||^2 on hidden linear models and a hidden CNN.")


def _judge_class_model(cases: Cases, results: list[CaseResult]) -> Verdict:
    case, result = cases[0], results[0]
    classes, lam = np.asarray(case["classes"]), float(case["lam"])
    images = _output("class_model", result, (len(classes), *IMAGE_SHAPE), "one image per class")
    model = _model(case)
    logits = np.asarray(model(images.astype(np.float32), training=False), dtype=np.float64)
    baseline = np.asarray(model(mean_image(), training=False), dtype=np.float64)[0]
    margin = float(np.median(logits[np.arange(len(classes)), classes] - baseline[classes]))
    share = float(np.mean(np.argmax(logits, axis=1) == classes))
    objective = float(np.mean(class_objective_reference(model, images, classes, lam)))
    facts = (f"median target-logit margin over the mean image {margin:.1f}, {share:.0%} classified as their "
             f"class, mean objective {objective:.1f}")
    if objective < CLASS_MIN_OBJECTIVE:
        return Verdict(False, f"class_model: on a hidden CNN ({facts}) the objective f(x)_c - lambda ||x||^2 "
                              f"stays below {CLASS_MIN_OBJECTIVE:g} (reference about 14): *ascend* it, with the "
                              "penalty subtracted, from a small random start.")
    if margin < CLASS_MIN_MARGIN or share < CLASS_MIN_SHARE:
        return Verdict(False, f"class_model: on a hidden CNN, {facts}; the bars are a margin of "
                              f"{CLASS_MIN_MARGIN:g} and {CLASS_MIN_SHARE:.0%} of the classes (reference: "
                              "margin 25-29, 100 %). Ascend the logit of each image's own class.")
    problem = clauses.given_start_problem("class_model", cases[CLASS_AT_START]["start"],
                                          _output("class_model", results[CLASS_AT_START], (2, *IMAGE_SHAPE),
                                                  "one image per class"),
                                          _output("class_model", results[CLASS_STILL], (2, *IMAGE_SHAPE),
                                                  "one image per class"),
                                          SAME_TOLERANCE, still_steps=int(cases[CLASS_STILL]["steps"]))
    if problem:
        return Verdict(False, problem)
    if clauses.differs(_output("class_model", results[CLASS_SEEDED], (2, *IMAGE_SHAPE), "one image per class"),
                       _output("class_model", results[CLASS_SAME_SEED], (2, *IMAGE_SHAPE), "one image per class"),
                       SAME_TOLERANCE):
        return Verdict(False, "class_model: two calls with the same seed and no start (steps=0) returned "
                              "different images; draw the start noise from the seed you are given, e.g. "
                              "np.random.default_rng(seed), so that a run can be repeated.")
    return Verdict(True, f"class_model: on a hidden CNN, {facts}; start, steps, step_size and seed do what they say.")


def _judge_tv(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        x, beta = np.asarray(case["x"]), float(case.get("beta", 2.0))
        values = _output("total_variation", result, (len(x),), "one value per image")
        expected = total_variation_reference(x, beta)
        if _scaled(values, expected) > VALUE_TOLERANCE and np.max(np.abs(values - expected)) > 1e-6:
            return Verdict(False, f"total_variation: with beta = {beta:g} on an input of shape {x.shape} your "
                                  "values differ from the sum over i < H-1, j < W-1 and channels of "
                                  "((x[i, j+1] - x[i, j])^2 + (x[i+1, j] - x[i, j])^2)^(beta / 2): square the "
                                  "differences, add them, then raise to beta / 2"
                                  + (" (beta left out: its default is 2)." if "beta" not in case else "."))
    return Verdict(True, "total_variation: TV^beta matches on hidden tensors (beta = 1, 1.5, 2 and the default).")


def _judge_inversion_loss(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        x = np.asarray(case["x"])
        if result.outputs is None or len(result.outputs) != 2 or result.outputs[0].shape != (len(x),):
            return Verdict(False, "inversion_loss: return one value per image, shape (N,), as a TensorFlow "
                                  "tensor (the grader differentiates it).")
        values, gradient = result.outputs
        beta = float(case.get("beta", 2.0))
        expected, expected_gradient = inversion_loss_reference(
            _model(case), str(case["layer"]), x, case["target_features"], float(case["lam"]), float(case["mu"]),
            beta=beta)
        if _scaled(values, expected) > VALUE_TOLERANCE:
            return Verdict(False, f"inversion_loss: on layer {case['layer']} of a hidden CNN with beta = {beta:g} "
                                  "your values differ from ||phi(x) - phi_0||^2 + lambda ||x||^2 + mu "
                                  "TV^beta(x) (the first two squared, all added, phi the output of the named "
                                  "layer, the last term mu * total_variation(x, beta) with the beta you are given).")
        if gradient.shape != x.shape or _scaled(gradient, expected_gradient) > GRADIENT_TOLERANCE:
            return Verdict(False, "inversion_loss: the values are right but their gradient with respect to x is "
                                  "not: compute every term with TensorFlow operations on x.")
    return Verdict(True, "inversion_loss: value and gradient match on two layers of a hidden CNN, beta = 2, 3, 4.")


def _judge_inversion(cases: Cases, results: list[CaseResult]) -> Verdict:
    ratios, outputs = {}, [
        _output("invert_representation", result, (len(case["target_features"]), *IMAGE_SHAPE), "one image per target")
        for case, result in zip(cases, results)]
    for case, images in zip(cases[:len(INVERSION_LAYERS)], outputs):
        layer, target = str(case["layer"]), np.asarray(case["target_features"])
        model = _model(case)
        reached = feature_mismatch(model, layer, images.astype(np.float32), target)
        start = feature_mismatch(model, layer, np.zeros_like(images, dtype=np.float32), target)
        ratios[layer] = float(np.mean(reached / start))
        if ratios[layer] > INVERSION_MAX_RATIO:
            return Verdict(False, f"invert_representation: after {case['steps']} steps on layer {layer} of a "
                                  f"hidden CNN the feature mismatch ||phi(x) - phi_0||^2 is {ratios[layer]:.1%} of the "
                                  f"zero image's (reference: below 4 %, bar {INVERSION_MAX_RATIO:.0%}). "
                                  "*Descend* inversion_loss on the features of the named layer.")
    problem = clauses.repeat_problem("invert_representation", outputs[INVERT_START], outputs[INVERT_SAME_SEED],
                                     outputs[INVERT_STILL], SAME_TOLERANCE,
                                     still_steps=int(cases[INVERT_STILL]["steps"]),
                                     start_words="the start")
    if problem:
        return Verdict(False, problem)
    case = cases[INVERT_BETA]
    agreement = clauses.beta_step_agreement(_model(case), case, outputs[INVERT_START], outputs[INVERT_BETA],
                                            INVERT_MIN_PIXELS)
    if agreement is not None and agreement < INVERT_MIN_AGREEMENT:
        return Verdict(False, f"invert_representation: with beta = {case['beta']:g} your first step goes against "
                              "the gradient of the beta = 2 objective, not of the one asked for (on "
                              f"{1 - agreement:.0%} of the pixels where they disagree): pass `beta` on to "
                              "inversion_loss.")
    found = ", ".join(f"{layer} {ratio:.2%}" for layer, ratio in ratios.items())
    return Verdict(True, f"invert_representation: the feature mismatch falls to {found} of the zero image's; steps, "
                         "step_size, beta and seed do what they say.")


CHECKS = [
    FunctionCheck(id="saliency_map", points=3, description="saliency |d logit_c / dx| on hidden models",
                  make_cases=make_saliency_cases, judge=_verdict("saliency_map", _judge_saliency),
                  clauses=CLAUSES["saliency_map"]),
    FunctionCheck(id="project_to_sphere", points=1, description="projection onto ||x|| = rho on hidden tensors",
                  make_cases=make_projection_cases, judge=_verdict("project_to_sphere", _judge_projection),
                  clauses=CLAUSES["project_to_sphere"]),
    FunctionCheck(id="activation_maximisation", points=3,
                  description="activation maximisation: on the sphere, units above random inputs of the same norm",
                  make_cases=make_activation_cases, judge=_verdict("activation_maximisation", _judge_activation),
                  clauses=CLAUSES["activation_maximisation"]),
    FunctionCheck(id="class_model_objective", points=2, description="f(x)_c - lambda ||x||^2 on hidden models",
                  make_cases=make_class_objective_cases,
                  judge=_verdict("class_model_objective", _judge_class_objective),
                  clauses=CLAUSES["class_model_objective"]),
    FunctionCheck(id="class_model", points=3,
                  description="class models: target-logit margin, share classified as target, objective",
                  make_cases=make_class_model_cases, judge=_verdict("class_model", _judge_class_model),
                  clauses=CLAUSES["class_model"]),
    FunctionCheck(id="total_variation", points=2, description="TV^beta regulariser on hidden tensors",
                  make_cases=make_tv_cases, judge=_verdict("total_variation", _judge_tv),
                  clauses=CLAUSES["total_variation"]),
    FunctionCheck(id="inversion_loss", points=2, description="inversion objective: value and gradient",
                  make_cases=make_inversion_loss_cases, judge=_verdict("inversion_loss", _judge_inversion_loss),
                  clauses=CLAUSES["inversion_loss"]),
    FunctionCheck(id="invert_representation", points=3,
                  description="inversion lowers the feature mismatch on two layers in a fixed step budget",
                  make_cases=make_inversion_cases, judge=_verdict("invert_representation", _judge_inversion),
                  clauses=CLAUSES["invert_representation"]),
]
