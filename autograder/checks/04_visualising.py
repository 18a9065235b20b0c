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
smoke and full profiles, so each bar holds for both).
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

import numpy as np

from autograder.checks._visualising_reference import (  # noqa: F401 - tests use them from here
    activation_maximisation_reference, class_model_reference, class_objective_reference, feature_mismatch,
    inversion_loss_reference, invert_reference, linear_saliency, project_reference, saliency_reference,
    total_variation_reference, unit_activations)
from autograder.checks._judge_helpers import reporting_problems as _verdict
from autograder.checks._judge_helpers import single_output as _output
from autograder.judging import Cases, FunctionCheck, Verdict
from course_utils.judge import CaseResult

ASSIGNMENT = "04_visualising"
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)

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
# starts): median over units of a_u(x) / (largest a_u over 64 random Gaussian images of norm
# rho): reference 8.9-10.3 (the smaller layer of each seed) -> bar >= 3 (a third of the
# reference's worst; random images give <= 1 by construction). Without the projection the
# norms end at 10-12.7 and the norm check (NORM_TOLERANCE) fails them.
AM_RHO, AM_STEPS, AM_UNITS, AM_RANDOM_INPUTS, AM_MIN_MEDIAN_RATIO = 10.0, 50, 8, 64, 3.0
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
CLASS_LAMBDA, CLASS_STEPS = 0.1, 100
CLASS_MIN_MARGIN, CLASS_MIN_SHARE, CLASS_MIN_OBJECTIVE = 8.0, 0.8, 5.0
# Inversion (lambda = 1e-3, mu = 1e-2, 50 steps, 6 test digits): the mean over images of
# ||phi(x) - phi_0||^2 / ||phi(0) - phi_0||^2 (the zero image gives 1): reference conv1
# 0.22-0.25 %, pool2 2.1-3.8 % -> bar <= 10 % (2.6x the reference's worst).
INVERSION_LAMBDA, INVERSION_MU, INVERSION_STEPS, INVERSION_IMAGES = 1e-3, 1e-2, 50, 6
INVERSION_LAYERS = ("conv1", "pool2")
INVERSION_MAX_RATIO = 0.1
LAYER_SHAPES = {"conv1": (26, 26, 8), "pool1": (13, 13, 8), "conv2": (11, 11, 16), "pool2": (5, 5, 16)}


# --------------------------------------------------------------------------- hidden data and model
def hidden_cnn_weights() -> dict[str, np.ndarray]:
    """The course's hidden small CNN (week 3's, trained once per machine and cached)."""
    return importlib.import_module("autograder.checks.03_adversarial").hidden_cnn_weights()


def _model(case: dict[str, Any]) -> Any:
    from course_utils import models

    return models.classifier_from_weights({k: case[k] for k in case if k.endswith(("_kernel", "_bias"))
                                           or k in ("kernel", "bias")})


@functools.lru_cache(maxsize=None)
def _mnist(split: str) -> tuple[np.ndarray, np.ndarray]:
    from course_utils import data

    images, labels = data.load_numpy("mnist", split, limit="all")
    return images.astype(np.float32) / np.float32(255.0), labels.astype(np.int64)


def mean_image() -> np.ndarray:
    """The mean MNIST training image (1, 28, 28, 1): the class-model check's baseline."""
    return _mnist("train")[0].mean(axis=0, keepdims=True)


def _digits(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    images, labels = _mnist("test")
    index = rng.choice(len(images), size=count, replace=False)
    return images[index], labels[index]


def _linear(rng: np.random.Generator) -> dict[str, np.ndarray]:
    return {"kernel": rng.normal(0.0, 0.1, size=(784, NUM_CLASSES)).astype(np.float32),
            "bias": rng.normal(0.0, 0.1, size=NUM_CLASSES).astype(np.float32)}


def _other_classes(rng: np.random.Generator, labels: np.ndarray) -> np.ndarray:
    """Half the true labels, half another class: a saliency of the predicted class is wrong."""
    other = (labels + rng.integers(1, NUM_CLASSES, size=len(labels))) % NUM_CLASSES
    return np.where(np.arange(len(labels)) % 2 == 0, labels, other).astype(np.int64)


# --------------------------------------------------------------------------- cases
def _make_saliency_cases(rng: np.random.Generator) -> Cases:
    digits, labels = _digits(rng, 12)
    noisy = np.clip(digits[:6] + rng.normal(0.0, 0.2, size=digits[:6].shape), 0, 1).astype(np.float32)
    return [{**_linear(rng), "x": digits[:5], "classes": _other_classes(rng, labels[:5])},
            {**hidden_cnn_weights(), "x": digits, "classes": _other_classes(rng, labels)},
            {**hidden_cnn_weights(), "x": noisy, "classes": rng.integers(0, NUM_CLASSES, size=6)}]


def _make_projection_cases(rng: np.random.Generator) -> Cases:
    colour = rng.uniform(0.0, 1.0, size=(3, 7, 9, 3))
    colour[1] *= 1e-3  # tiny: must be scaled *up* to rho (a projection onto the ball would not)
    colour[2] *= 1e3
    return [{"x": rng.normal(size=(5, *IMAGE_SHAPE)).astype(np.float32), "rho": 10.0},
            {"x": colour.astype(np.float32), "rho": 2.5},
            {"x": _digits(rng, 4)[0] * np.float32(0.1), "rho": 7.0},
            {"x": rng.normal(size=(1, 4, 6, 2)).astype(np.float32), "rho": 1.0}]


def _units(rng: np.random.Generator, layer: str) -> np.ndarray:
    """AM_UNITS distinct channels of ``layer`` at positions away from the border, (U, 3) int (i, j, k)."""
    height, width, channels = LAYER_SHAPES[layer]
    margin = max(1, height // 5)
    rows = rng.integers(margin, height - margin, size=AM_UNITS)
    cols = rng.integers(margin, width - margin, size=AM_UNITS)
    return np.stack([rows, cols, rng.choice(channels, size=AM_UNITS, replace=False)], axis=1).astype(np.int64)


def _make_activation_cases(rng: np.random.Generator) -> Cases:
    return [{**hidden_cnn_weights(), "layer": layer, "units": _units(rng, layer), "rho": AM_RHO, "steps": AM_STEPS}
            for layer in ("conv2", "pool2")]


def _make_class_objective_cases(rng: np.random.Generator) -> Cases:
    digits, _ = _digits(rng, 8)
    signed = rng.uniform(-1.0, 1.0, size=(6, *IMAGE_SHAPE)).astype(np.float32)  # negative pixels too
    return [{**_linear(rng), "x": digits[:4], "classes": rng.integers(0, NUM_CLASSES, size=4), "lam": 0.1},
            {**hidden_cnn_weights(), "x": digits, "classes": rng.integers(0, NUM_CLASSES, size=8), "lam": 0.1},
            {**hidden_cnn_weights(), "x": signed, "classes": rng.integers(0, NUM_CLASSES, size=6), "lam": 0.03}]


def _make_class_model_cases(rng: np.random.Generator) -> Cases:
    return [{**hidden_cnn_weights(), "classes": rng.permutation(NUM_CLASSES), "lam": CLASS_LAMBDA,
             "steps": CLASS_STEPS}]


def _make_tv_cases(rng: np.random.Generator) -> Cases:
    digits, _ = _digits(rng, 2)
    return [{"x": rng.normal(size=(3, 9, 11, 2)).astype(np.float32), "beta": 2.0},
            {"x": digits, "beta": 1.0},
            {"x": rng.uniform(size=(4, 6, 5, 3)).astype(np.float32), "beta": 1.5},
            {"x": np.full((1, 5, 5, 1), 0.7, dtype=np.float32), "beta": 2.0}]


def _features(weights: dict[str, np.ndarray], layer: str, images: np.ndarray) -> np.ndarray:
    from course_utils import models

    extractor = models.feature_extractor(models.classifier_from_weights(weights), layer)
    return np.asarray(extractor(images, training=False), dtype=np.float32)


def _make_inversion_loss_cases(rng: np.random.Generator) -> Cases:
    weights = hidden_cnn_weights()
    digits, _ = _digits(rng, 8)
    start = np.clip(digits[4:] + rng.normal(0.0, 0.1, size=digits[4:].shape), 0, 1).astype(np.float32)
    return [{**weights, "layer": layer, "x": start, "target_features": _features(weights, layer, digits[:4]),
             "lam": lam, "mu": mu} for layer, lam, mu in (("conv1", 0.01, 0.1), ("pool2", 0.1, 0.5))]


def _make_inversion_cases(rng: np.random.Generator) -> Cases:
    weights = hidden_cnn_weights()
    digits, _ = _digits(rng, INVERSION_IMAGES)
    return [{**weights, "layer": layer, "target_features": _features(weights, layer, digits),
             "lam": INVERSION_LAMBDA, "mu": INVERSION_MU, "steps": INVERSION_STEPS} for layer in INVERSION_LAYERS]


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


def _judge_activation(cases: Cases, results: list[CaseResult]) -> Verdict:
    ratios = []
    for index, (case, result) in enumerate(zip(cases, results)):
        units, rho, layer = np.asarray(case["units"]), float(case["rho"]), str(case["layer"])
        images = _output("activation_maximisation", result, (len(units), *IMAGE_SHAPE), "one image per unit")
        norms = np.sqrt(np.sum(images.reshape(len(units), -1) ** 2, axis=1))
        if np.max(np.abs(norms - rho)) > NORM_TOLERANCE * rho:
            return Verdict(False, f"activation_maximisation: with rho = {rho:g} your images have norms from "
                                  f"{norms.min():.4g} to {norms.max():.4g}. Project onto the sphere "
                                  "||x|| = rho (project_to_sphere) after *every* gradient step.")
        model = _model(case)
        reached = unit_activations(model, layer, images.astype(np.float32), units)
        baseline = _random_baseline(model, layer, units, rho, seed=index)
        ratio = float(np.median(reached / np.maximum(baseline, 1e-6)))
        if ratio < AM_MIN_MEDIAN_RATIO:
            return Verdict(False, f"activation_maximisation: on layer {layer} of a hidden CNN your images raise "
                                  f"the chosen units to a median {ratio:.2f}x the best of {AM_RANDOM_INPUTS} random "
                                  f"images of the same norm (reference: about 9-10x, bar {AM_MIN_MEDIAN_RATIO:g}x). "
                                  "Ascend the gradient of the unit's activation, starting from an image that "
                                  "activates it (e.g. uniform noise in [0, 1], projected).")
        ratios.append(ratio)
    return Verdict(True, "activation_maximisation: on the sphere, and the units reach "
                         f"{min(ratios):.1f}x or more the best random image of the same norm (median).")


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
    return Verdict(True, f"class_model: on a hidden CNN, {facts}.")


def _judge_tv(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        x, beta = np.asarray(case["x"]), float(case["beta"])
        values = _output("total_variation", result, (len(x),), "one value per image")
        expected = total_variation_reference(x, beta)
        if _scaled(values, expected) > VALUE_TOLERANCE and np.max(np.abs(values - expected)) > 1e-6:
            return Verdict(False, f"total_variation: with beta = {beta:g} on an input of shape {x.shape} your "
                                  "values differ from the sum over i < H-1, j < W-1 and channels of "
                                  "((x[i, j+1] - x[i, j])^2 + (x[i+1, j] - x[i, j])^2)^(beta / 2): square the "
                                  "differences, add them, then raise to beta / 2.")
    return Verdict(True, "total_variation: TV^beta matches on hidden tensors (beta = 1, 1.5, 2).")


def _judge_inversion_loss(cases: Cases, results: list[CaseResult]) -> Verdict:
    for case, result in zip(cases, results):
        x = np.asarray(case["x"])
        if result.outputs is None or len(result.outputs) != 2 or result.outputs[0].shape != (len(x),):
            return Verdict(False, "inversion_loss: return one value per image, shape (N,), as a TensorFlow "
                                  "tensor (the grader differentiates it).")
        values, gradient = result.outputs
        expected, expected_gradient = inversion_loss_reference(
            _model(case), str(case["layer"]), x, case["target_features"], float(case["lam"]), float(case["mu"]))
        if _scaled(values, expected) > VALUE_TOLERANCE:
            return Verdict(False, f"inversion_loss: on layer {case['layer']} of a hidden CNN your values differ "
                                  "from ||phi(x) - phi_0||^2 + lambda ||x||^2 + mu ||grad x||^2 (all three "
                                  "squared, all added, phi the output of the named layer, ||grad x||^2 = "
                                  "total_variation(x, beta=2)).")
        if gradient.shape != x.shape or _scaled(gradient, expected_gradient) > GRADIENT_TOLERANCE:
            return Verdict(False, "inversion_loss: the values are right but their gradient with respect to x is "
                                  "not: compute every term with TensorFlow operations on x.")
    return Verdict(True, "inversion_loss: value and gradient match on two layers of a hidden CNN.")


def _judge_inversion(cases: Cases, results: list[CaseResult]) -> Verdict:
    ratios = {}
    for case, result in zip(cases, results):
        layer, target = str(case["layer"]), np.asarray(case["target_features"])
        images = _output("invert_representation", result, (len(target), *IMAGE_SHAPE), "one image per target")
        model = _model(case)
        reached = feature_mismatch(model, layer, images.astype(np.float32), target)
        start = feature_mismatch(model, layer, np.zeros_like(images, dtype=np.float32), target)
        ratios[layer] = float(np.mean(reached / start))
        if ratios[layer] > INVERSION_MAX_RATIO:
            return Verdict(False, f"invert_representation: after {case['steps']} steps on layer {layer} of a "
                                  f"hidden CNN the feature mismatch ||phi(x) - phi_0||^2 is {ratios[layer]:.1%} of the "
                                  f"zero image's (reference: below 4 %, bar {INVERSION_MAX_RATIO:.0%}). "
                                  "*Descend* inversion_loss on the features of the named layer.")
    found = ", ".join(f"{layer} {ratio:.2%}" for layer, ratio in ratios.items())
    return Verdict(True, f"invert_representation: the feature mismatch falls to {found} of the zero image's.")


CHECKS = [
    FunctionCheck(id="saliency_map", points=3, description="saliency |d logit_c / dx| on hidden models",
                  make_cases=_make_saliency_cases, judge=_verdict("saliency_map", _judge_saliency)),
    FunctionCheck(id="project_to_sphere", points=1, description="projection onto ||x|| = rho on hidden tensors",
                  make_cases=_make_projection_cases, judge=_verdict("project_to_sphere", _judge_projection)),
    FunctionCheck(id="activation_maximisation", points=3,
                  description="activation maximisation: on the sphere, units above random inputs of the same norm",
                  make_cases=_make_activation_cases, judge=_verdict("activation_maximisation", _judge_activation)),
    FunctionCheck(id="class_model_objective", points=2, description="f(x)_c - lambda ||x||^2 on hidden models",
                  make_cases=_make_class_objective_cases,
                  judge=_verdict("class_model_objective", _judge_class_objective)),
    FunctionCheck(id="class_model", points=3,
                  description="class models: target-logit margin, share classified as target, objective",
                  make_cases=_make_class_model_cases, judge=_verdict("class_model", _judge_class_model)),
    FunctionCheck(id="total_variation", points=2, description="TV^beta regulariser on hidden tensors",
                  make_cases=_make_tv_cases, judge=_verdict("total_variation", _judge_tv)),
    FunctionCheck(id="inversion_loss", points=2, description="inversion objective: value and gradient",
                  make_cases=_make_inversion_loss_cases, judge=_verdict("inversion_loss", _judge_inversion_loss)),
    FunctionCheck(id="invert_representation", points=3,
                  description="inversion lowers the feature mismatch on two layers in a fixed step budget",
                  make_cases=_make_inversion_cases, judge=_verdict("invert_representation", _judge_inversion)),
]
