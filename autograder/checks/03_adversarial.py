"""Hidden checks of 03_adversarial: FGSM, iterative and targeted attacks, a universal
perturbation, and an adversarially trained CNN.

The students' contract (see the notebook): models take images ``x: (N, 28, 28, 1)``
float32 with pixels in ``[0, 1]`` and return ``(N, 10)`` **logits**; labels are
integer class ids ``(N,)``. Attacks return adversarial images of the shape of
``x`` inside the ε-ball around ``x`` (L∞) and inside ``[0, 1]``.

Hidden models cannot cross into the sandbox as objects, so the cases carry their
weights as named arrays and the notebook's grade cell rebuilds them with
``course_utils.models.classifier_from_weights``. Two hidden models:

- random **linear softmax models** (``kernel (784, 10)``, ``bias (10,)``), whose
  input gradient is known in closed form, ``(softmax(logits) - onehot(y)) @ kernel.T``
  (computed here in float64 NumPy): the FGSM step is checked *exactly* on them;
- a **small CNN** (``build_small_cnn((8, 16))``, 5.3 k parameters), trained here on
  the first 6,000 MNIST training images with fixed seeds at first use (10-30 s on
  a shared 2-core CPU) and cached, in the process and in a file of
  ``course_utils.data.cache_dir()``, on which the *effect* of the attacks is
  measured against bars calibrated from the reference solution. The
  linear models check *exactly* that each attack computes the step it should; the
  CNN checks that it works on a real network.

Each grade cell's lambda also returns the ``x`` it passed in, after the call, so
the judge sees whether the student's function wrote into its input.
The artifact check loads ``robust_cnn.keras`` in a fresh process and attacks it
with the reference FGSM of ``_adversarial_reference``
(at eps = 0.1 and 0.25; see the artifact bars).
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np

from autograder.checks._adversarial_reference import (  # noqa: F401 - tests and benchmarks use them from here
    fgsm_reference, iterative_reference, linear_input_gradient, linear_iterative_reference, robustness,
    universal_reference)
from autograder.judging import ArtifactCheck, Cases, FunctionCheck, Verdict
from course_utils.judge import CaseResult

ASSIGNMENT = "03_adversarial"
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)

# --------------------------------------------------------------------------- tolerances
# float32 arithmetic: x + eps * sign(g) is rounded once (≤ 6e-8 for values ≤ 1);
# 1e-6 is far above that and far below any real violation of the budget.
ATOL = 1e-6
# A float32 gradient component whose float64 value is below this fraction of the
# image's largest component may have either sign (or be exactly 0): the exact
# FGSM comparison skips those pixels (measured: < 0.1 % of the pixels).
AMBIGUOUS_GRADIENT = 1e-4

# --------------------------------------------------------------------------- hidden CNN
HIDDEN_CNN_FILTERS = (8, 16)
HIDDEN_CNN_TRAIN_IMAGES = 6_000  # the first images of the MNIST training split
HIDDEN_CNN_EPOCHS = 3
HIDDEN_CNN_SEED = 2015
EFFECT_IMAGES = 500  # random MNIST test images per effect case
UNIVERSAL_IMAGES = 1_000  # the student's function sees these (MNIST train split, after the hidden CNN's)
UNIVERSAL_POOL = slice(50_000, 60_000)
HELD_OUT = slice(9_000, 10_000)  # the fooling rate is measured on these MNIST test images

# --------------------------------------------------------------------------- exactness
# Iterative attacks on a linear model are compared with the float64 NumPy
# trajectory (linear_iterative_reference). Measured: the TensorFlow reference
# differs from it on 0 pixels over 32 cases (4 seeds x 2 inputs x 2 settings x
# targeted or not); single-step FGSM differs on 2-8 % of the pixels and the
# untargeted attack from the targeted one on ~50 %. A few flipped near-zero
# signs may cascade, hence a small allowance.
MAX_MISMATCH = 0.005

# --------------------------------------------------------------------------- effect bars
# Calibrated with the reference attacks of this module on the hidden CNN, on
# 500 random MNIST test images per case, over the cases of 3 generator seeds,
# recorded in benchmarks/results/adversarial_hidden_cnn.json (written by
# `benchmarks/adversarial_reference.py --hidden`; an earlier run with other
# seeds gave ranges within a point or two of these). Measured -> bar (margin):
#   clean accuracy of the hidden CNN on those images: 92.4-96.6 %.
#   FGSM, eps = 0.25: accuracy 6.6-9.8 %                       -> <= 30 %  (+20 points)
#   iterative, eps = 0.1, alpha = 0.01, 20 steps: 50.0-54.4 %   -> <= 64 %  (+9.6 points, over
#     4 sigma of a 500-image estimate); one FGSM step of eps leaves 67.8-70.4 %. The
#     exact comparison on linear models is what catches a single step reliably.
#     This small CNN is far more robust at eps = 0.1 than a linear model or an MLP
#     (both fall to 10-16 %): max pooling and ReLUs on a black background.
#   targeted, eps = 0.25, alpha = 0.01, 40 steps: success 82.4-85.2 % -> >= 65 % (-17 points);
#     the untargeted attack lands on the target 10.8-13.4 % of the time.
#   universal, eps = 0.25, 10 epochs of batches of 100 over 1,000 images: fooling rate on
#     the 1,000 held-out images (universal_fooling), over the hidden cases of seeds 0-19,
#     benchmarks/results/adversarial_bars_smoke.json ("universal"; the hidden CNN is the
#     same in both profiles), min / median / max:
#       reference universal perturbation (= the notebook's)   33.0 / 50.4 / 56.0 %  (20 seeds)
#       one image's FGSM perturbation (x_adv - x)              5.1 / 10.1 / 15.1 %  (40 images)
#       one image's iterative perturbation (40 steps of 0.01)  6.6 / 15.5 / 21.0 %  (40 images)
#     -> >= 27 %: 6 points below the reference's minimum (a 1,000-image estimate near 30 %
#     has a standard deviation of 1.4 points), 12 above the best single-image FGSM
#     perturbation and 6 above the best iterative one. adversarial_hidden_cnn.json (other
#     cases, 3 seeds) gave 32.2-53.3 %; random sign noise of the same size fools 6-12 %.
#     The former bar of 20 % let single-image perturbations through.
FGSM_EPS, FGSM_MAX_ACCURACY = 0.25, 0.30
ITERATIVE_EPS, ITERATIVE_ALPHA, ITERATIVE_STEPS, ITERATIVE_MAX_ACCURACY = 0.1, 0.01, 20, 0.64
TARGETED_EPS, TARGETED_ALPHA, TARGETED_STEPS, TARGETED_MIN_SUCCESS = 0.25, 0.01, 40, 0.65
UNIVERSAL_EPS, UNIVERSAL_MIN_FOOLING = 0.25, 0.27

# --------------------------------------------------------------------------- artifact bars
# robust_cnn.keras is measured by robust_measurements (clean accuracy, accuracy under the
# reference FGSM) on the MNIST test split: full, all 10,000 images; smoke, the first 2,000
# (formerly 500: one image was 0.2 points). Three bars, all must hold:
#   clean accuracy >= CLEAN_BARS: the 97 % (full; the reference keeps 98.81 %,
#     benchmarks/results/adversarial_reference_full.json); smoke 70 % (every fine-tuned
#     smoke model below keeps >= 88.0 %).
#   FGSM at eps = 0.1 (the budget the notebook defends and states) >= undefended
#     reference + ROBUST_MARGIN: full 89.6 % (reference 95.4 %, undefended 81.6 %),
#     smoke 71 %. Not decisive on its own (see below), kept because the notebook states it.
#   FGSM at eps = 0.25 (ROBUST_EPS) >= ROBUST_MIN_ACCURACY: the decisive bar against
#     fine-tuning on clean images only. Smoke, measured by benchmarks/adversarial_bars.py
#     (benchmarks/results/adversarial_bars_smoke.json, seeds 0-19, the notebook's own
#     code with SEED = the seed, each variant fine-tuned from the same undefended CNN by
#     the notebook's loop), min / median / max over 20 seeds:
#                                   clean               FGSM 0.1             FGSM 0.25
#     undefended (not fine-tuned)   82.7 / 87.8 / 89.9   60.0 / 63.5 / 66.4   7.3 / 12.7 / 16.9
#     clean-only fine-tuning        88.0 / 90.6 / 91.5   62.6 / 68.9 / 72.2   7.4 / 12.5 / 16.6
#     adversarial (the notebook's)  90.0 / 90.9 / 92.4   74.6 / 76.3 / 78.7  25.9 / 32.2 / 38.3
#     adversarial examples only     88.9 / 90.6 / 92.3   74.8 / 76.9 / 79.4  32.1 / 37.8 / 42.2
#     FGSM precomputed once         89.9 / 91.2 / 92.7   74.4 / 76.8 / 78.4  28.5 / 35.5 / 40.6
#     -> smoke >= 21 %: 4.4 points above the best clean-only model, 4.9 below the worst
#     adversarially trained one (a 2,000-image estimate near 21 % has a standard deviation
#     of 0.9 points); clean-only fails 20 of 20 seeds, both right variants pass 20 of 20.
#     (The former check, FGSM 0.1 on 500 images >= 71 %, passed clean-only in 10 of 20.)
#     Full, argued from fewer seeds (a seed costs 7-12 min here): seeds 0 and 1 of
#     benchmarks/results/adversarial_bars_full.json and the notebook's own seed 1234
#     (adversarial_reference_full.json), on all 10,000 test images, min-max:
#                                   clean          FGSM 0.1       FGSM 0.25
#     undefended (0, 1, 1234)       98.6-98.8 %    80.9-82.8 %     9.8-13.5 %
#     clean-only fine-tuning (0, 1) 98.8-99.1 %    83.8-84.3 %    13.0-16.3 %
#     FGSM precomputed once (0, 1)  98.6-98.8 %    67.4-68.6 %     1.5-4.1 %
#     adversarial (0, 1, 1234)      98.8-98.9 %    95.2-95.7 %    74.5-78.0 %
#     -> full >= 45 %, half-way between clean-only and adversarial: 29 points from each
#     (a 10,000-image estimate has a standard deviation of 0.5 points, seed to seed the
#     values above moved 3 points); the eps = 0.1 bar (89.6 %) also rejects both wrong
#     variants, by 5.3 and 21 points. In the full profile, 938 steps make examples
#     computed once stale: the model trained on them is worse than the undefended one
#     under its own FGSM.
#   FGSM examples computed once before training cannot be told from the artifact in the
#     smoke profile (in the full profile, seeds 0 and 1, they fail both FGSM bars, above):
#     after one epoch on 2,000 images (32 steps) the model has moved so little that its
#     own FGSM examples and those of its starting point are nearly the same, and the
#     precomputed model is as robust at every budget measured (per seed, against the
#     notebook's: -0.6 to +1.8 points at eps 0.1, +0.1 to +4.2 at 0.2, +0.7 to +4.7 at
#     0.25). Catching it in smoke needs a check of adversarial_train_step itself, which
#     the notebook does not submit.
ARTIFACT_EPS = 0.1
CLEAN_BARS = {"full": 0.97, "smoke": 0.70}
UNDEFENDED_FGSM_ACCURACY = {"full": 0.816, "smoke": 0.68}
ROBUST_MARGIN = {"full": 0.08, "smoke": 0.03}
ROBUST_EPS = 0.25
ROBUST_MIN_ACCURACY = {"full": 0.45, "smoke": 0.21}
ROBUST_EVAL_IMAGES_SMOKE = 2_000  # the first MNIST test images (full: all 10,000)
EVAL_BATCH_SIZE = 500


# --------------------------------------------------------------------------- hidden data and model
@functools.lru_cache(maxsize=None)
def _mnist(split: str) -> tuple[np.ndarray, np.ndarray]:
    """The whole MNIST ``split`` as float32 images in [0, 1] and int64 labels."""
    from course_utils import data

    images, labels = data.load_numpy("mnist", split, limit="all")
    return images.astype(np.float32) / np.float32(255.0), labels.astype(np.int64)


def _train_hidden_cnn() -> dict[str, np.ndarray]:
    """Train the hidden small CNN with fixed seeds on the first MNIST training images."""
    import keras
    import tensorflow as tf

    from course_utils import models

    images, labels = _mnist("train")
    order = np.random.default_rng(HIDDEN_CNN_SEED).permutation(HIDDEN_CNN_TRAIN_IMAGES)
    with tf.device("/CPU:0"):
        model = models.build_small_cnn(HIDDEN_CNN_FILTERS, seed=HIDDEN_CNN_SEED)
        model.compile(optimizer=keras.optimizers.Adam(2e-3),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(images[order], labels[order], batch_size=64, epochs=HIDDEN_CNN_EPOCHS,
                  shuffle=False, verbose=0)
    return models.small_cnn_weights(model)


def _hidden_cnn_cache() -> Path:
    """Where the trained hidden CNN is kept between processes (the key changes with its recipe)."""
    import tensorflow as tf

    from course_utils import data

    recipe = f"{HIDDEN_CNN_FILTERS}-{HIDDEN_CNN_TRAIN_IMAGES}-{HIDDEN_CNN_EPOCHS}-{HIDDEN_CNN_SEED}-{tf.__version__}"
    key = hashlib.sha256(recipe.encode()).hexdigest()[:16]
    return data.cache_dir() / "grader" / f"03_adversarial_hidden_cnn_{key}.npz"


@functools.lru_cache(maxsize=None)
def _hidden_cnn_weights_cached() -> tuple[tuple[str, np.ndarray], ...]:
    """Trained once per machine: read from the cache file, else trained (≈ 5-20 s) and cached.

    The same weights must serve the cases written for the sandbox and the cases
    the judge regenerates, so they are fixed for the life of the process and,
    through the file, across processes. A cache that cannot be written (a
    read-only home in a sandbox) only costs the training time again.
    """
    path = _hidden_cnn_cache()
    try:
        with np.load(path, allow_pickle=False) as stored:
            return tuple((name, stored[name]) for name in sorted(stored.files))
    except (OSError, ValueError):
        pass
    weights = _train_hidden_cnn()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        with partial.open("wb") as handle:
            np.savez(handle, **weights)
        os.replace(partial, path)
    except OSError:
        pass
    return tuple(sorted(weights.items()))


def hidden_cnn_weights() -> dict[str, np.ndarray]:
    """The hidden small CNN's weights by name (trained at first use, then kept in this process)."""
    return {name: value.copy() for name, value in _hidden_cnn_weights_cached()}


def hidden_cnn() -> Any:
    """The hidden small CNN as a ``keras.Model`` (logits)."""
    from course_utils import models

    return models.classifier_from_weights(hidden_cnn_weights())


def _random_linear(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A random linear softmax model with moderate logits (std ≈ 1-2 on MNIST digits),
    so that float32 softmax never saturates and gradient signs are well defined."""
    pixels = int(np.prod(IMAGE_SHAPE))
    return {"kernel": rng.normal(0.0, 0.1, size=(pixels, NUM_CLASSES)).astype(np.float32),
            "bias": rng.normal(0.0, 0.1, size=NUM_CLASSES).astype(np.float32)}


def _test_images(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random MNIST test images (outside the universal held-out set) and labels."""
    images, labels = _mnist("test")
    index = rng.choice(HELD_OUT.start, size=count, replace=False)
    return images[index], labels[index]


def _linear_cases(rng: np.random.Generator) -> Cases:
    """Digits (many pixels exactly 0 or 1, so clipping matters), uniform noise, and eps = 0."""
    digits, digit_labels = _test_images(rng, 16)
    noise = rng.uniform(0.0, 1.0, size=(8, *IMAGE_SHAPE)).astype(np.float32)
    return [
        {**_random_linear(rng), "x": digits, "y": digit_labels, "eps": 0.1},
        {**_random_linear(rng), "x": noise, "y": rng.integers(0, NUM_CLASSES, size=8), "eps": 0.03},
        {**_random_linear(rng), "x": digits[:4], "y": digit_labels[:4], "eps": 0.0},
    ]


def _cnn_case(rng: np.random.Generator, **extra: Any) -> dict[str, Any]:
    x, y = _test_images(rng, EFFECT_IMAGES)
    return {**hidden_cnn_weights(), "x": x, "y": y, **extra}


def _make_fgsm_cases(rng: np.random.Generator) -> Cases:
    return _linear_cases(rng) + [_cnn_case(rng, eps=FGSM_EPS)]


def _make_iterative_cases(rng: np.random.Generator) -> Cases:
    digits, noise, _ = _linear_cases(rng)
    return [{**digits, "alpha": 0.03, "steps": 6},  # 6 steps of 0.03 would leave the 0.1-ball
            {**noise, "alpha": 0.01, "steps": 5},
            _cnn_case(rng, eps=ITERATIVE_EPS, alpha=ITERATIVE_ALPHA, steps=ITERATIVE_STEPS)]


def _with_targets(rng: np.random.Generator, case: dict[str, Any]) -> dict[str, Any]:
    """Replace the labels ``y`` by a ``target`` class that differs from each true label."""
    labels = case.pop("y")
    case["target"] = (labels + rng.integers(1, NUM_CLASSES, size=len(labels))) % NUM_CLASSES
    return case


def _make_targeted_cases(rng: np.random.Generator) -> Cases:
    digits, noise, _ = _linear_cases(rng)
    return [_with_targets(rng, {**digits, "alpha": 0.03, "steps": 6}),
            _with_targets(rng, {**noise, "alpha": 0.01, "steps": 5}),
            _with_targets(rng, _cnn_case(rng, eps=TARGETED_EPS, alpha=TARGETED_ALPHA, steps=TARGETED_STEPS))]


def _make_universal_cases(rng: np.random.Generator) -> Cases:
    images, labels = _mnist("train")
    index = rng.choice(np.arange(UNIVERSAL_POOL.start, UNIVERSAL_POOL.stop), size=UNIVERSAL_IMAGES,
                       replace=False)
    return [{**hidden_cnn_weights(), "x": images[index], "y": labels[index], "eps": UNIVERSAL_EPS}]


def held_out_images() -> np.ndarray:
    """The MNIST test images on which a universal perturbation's fooling rate is measured."""
    return _mnist("test")[0][HELD_OUT]


def universal_fooling(model: Any, delta: np.ndarray) -> float:
    """What the universal check measures (the benchmark records the same): the share of the
    held-out images whose prediction by ``model`` changes when ``delta`` is added."""
    from course_utils import metrics

    return metrics.fooling_rate(model, held_out_images(), np.asarray(delta, dtype=np.float32).reshape(IMAGE_SHAPE))


# --------------------------------------------------------------------------- judging helpers
def _is_linear(case: dict[str, Any]) -> bool:
    return "kernel" in case


def _outputs(check_id: str, result: CaseResult, expected_shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The grade cell's ``(adversarial images, x after the call)`` pair, shape-checked."""
    if result.outputs is None or len(result.outputs) != 2:
        raise ValueError(f"{check_id}: expected (x_adv, x) from the grade cell's wrapper")
    adversarial, x_after = result.outputs
    if adversarial.shape != expected_shape:
        raise _ShapeError(f"{check_id}: for x of shape {expected_shape} your function returned shape "
                          f"{adversarial.shape}; return adversarial images of the same shape as x.")
    return adversarial, x_after


class _ShapeError(ValueError):
    """A student output of the wrong shape; the message is meant for the student."""


def _budget_problem(check_id: str, x: np.ndarray, adversarial: np.ndarray, eps: float) -> str | None:
    """Why ``adversarial`` leaves the eps-ball around ``x`` or [0, 1], or None."""
    if not np.all(np.isfinite(adversarial)):
        return f"{check_id}: the adversarial images contain NaN or infinite values."
    distance = float(np.max(np.abs(adversarial - x))) if x.size else 0.0
    if distance > eps + ATOL:
        return (f"{check_id}: a pixel moved by {distance:.4g}, more than eps = {eps:g} (L-infinity budget). "
                "Step by eps times the *sign* of the gradient (not the gradient itself), and for "
                "several steps project back with clip(x_adv, x - eps, x + eps) after each one.")
    low, high = float(adversarial.min()), float(adversarial.max())
    if low < -ATOL or high > 1.0 + ATOL:
        return (f"{check_id}: pixel values range from {low:.3g} to {high:.3g}, outside [0, 1]. Clip the "
                "adversarial image to the valid pixel range, e.g. tf.clip_by_value(x_adv, 0.0, 1.0).")
    return None


def _mutation_problem(check_id: str, x: np.ndarray, x_after: np.ndarray) -> str | None:
    if x_after.shape != x.shape or not np.array_equal(x_after, x):
        return (f"{check_id}: your function changed its input x in place. Leave x as it is and "
                "build the adversarial images as a new array or tensor.")
    return None


def _common_problem(check_id: str, case: dict[str, Any], result: CaseResult) -> tuple[str | None, np.ndarray]:
    """Shape, mutation and budget problems of one case; returns (problem or None, x_adv)."""
    x = np.asarray(case["x"], dtype=np.float64)
    try:
        adversarial, x_after = _outputs(check_id, result, x.shape)
    except _ShapeError as exc:
        return str(exc), np.zeros(0)
    return (_mutation_problem(check_id, x, x_after)
            or _budget_problem(check_id, x, adversarial, float(case["eps"]))), adversarial


def _cnn_predictions(case: dict[str, Any], images: np.ndarray) -> np.ndarray:
    from course_utils import metrics, models

    model = models.classifier_from_weights({k: case[k] for k in hidden_cnn_weights()})
    return metrics.predict_classes(model, images)


# --------------------------------------------------------------------------- judges
def _judge_fgsm(cases: Cases, results: list[CaseResult]) -> Verdict:
    accuracy = None
    for case, result in zip(cases, results):
        problem, adversarial = _common_problem("fgsm", case, result)
        if problem:
            return Verdict(False, problem)
        x, eps = np.asarray(case["x"], dtype=np.float64), float(case["eps"])
        if _is_linear(case):
            gradient = linear_input_gradient(case["kernel"], case["bias"], x, case["y"])
            expected = np.clip(x + eps * np.sign(gradient), 0.0, 1.0)
            scale = np.max(np.abs(gradient), axis=(1, 2, 3), keepdims=True)
            clear = np.abs(gradient) > AMBIGUOUS_GRADIENT * scale
            wrong = clear & (np.abs(adversarial - expected) > ATOL)
            if np.any(wrong):
                hint = ("the step goes against the gradient: FGSM *increases* the loss of the true label"
                        if np.allclose(adversarial[clear], np.clip(x - eps * np.sign(gradient), 0, 1)[clear],
                                       atol=ATOL) else
                        "x_adv = clip(x + eps * sign(dL/dx), 0, 1) with L the cross-entropy of the true "
                        "labels computed from the model's logits (from_logits=True)")
                return Verdict(False, f"fgsm: on a hidden linear model (whose gradient is known exactly) "
                                      f"{np.mean(wrong[clear]):.1%} of the pixels differ from the FGSM step: "
                                      f"{hint}.")
        else:
            accuracy = float(np.mean(_cnn_predictions(case, adversarial.astype(np.float32)) == case["y"]))
            if accuracy > FGSM_MAX_ACCURACY:
                return Verdict(False, f"fgsm: at eps = {eps:g} a hidden CNN still classifies {accuracy:.1%} of "
                                      f"your adversarial images correctly; the reference FGSM leaves about "
                                      f"8 % (bar: at most {FGSM_MAX_ACCURACY:.0%}). Check that you ascend "
                                      "the loss of the true labels.")
    return Verdict(True, "fgsm: within the budget and [0, 1], exact on hidden linear models, and a hidden "
                         f"CNN's accuracy falls to {accuracy:.1%} at eps = {FGSM_EPS:g}.")


def _linear_mismatch(case: dict[str, Any], adversarial: np.ndarray, labels: np.ndarray,
                     targeted: bool) -> float:
    """Share of pixels where ``adversarial`` differs from the exact iterative trajectory."""
    expected = linear_iterative_reference(case["kernel"], case["bias"], case["x"], labels, float(case["eps"]),
                                          float(case["alpha"]), int(case["steps"]), targeted=targeted)
    return float(np.mean(np.abs(adversarial - expected) > ATOL))


def _judge_iterative(cases: Cases, results: list[CaseResult]) -> Verdict:
    accuracy = None
    for case, result in zip(cases, results):
        problem, adversarial = _common_problem("iterative_fgsm", case, result)
        if problem:
            return Verdict(False, problem)
        if _is_linear(case):
            mismatch = _linear_mismatch(case, adversarial, case["y"], targeted=False)
            if mismatch > MAX_MISMATCH:
                return Verdict(False, f"iterative_fgsm: on a hidden linear model {mismatch:.1%} of the pixels "
                                      f"differ from {case['steps']} projected steps of size alpha: start at "
                                      "x_adv = x; in every step recompute the gradient at the current x_adv, "
                                      "add alpha * sign(gradient), then clip to [x - eps, x + eps] and to "
                                      "[0, 1].")
        else:
            accuracy = float(np.mean(_cnn_predictions(case, adversarial.astype(np.float32)) == case["y"]))
            if accuracy > ITERATIVE_MAX_ACCURACY:
                return Verdict(False, f"iterative_fgsm: at eps = {case['eps']:g} ({case['steps']} steps of "
                                      f"{case['alpha']:g}) a hidden CNN still classifies {accuracy:.1%} of "
                                      f"your adversarial images correctly; the reference leaves about 52 % "
                                      f"(bar: at most {ITERATIVE_MAX_ACCURACY:.0%}). Recompute the gradient "
                                      "at the current x_adv in every step.")
    return Verdict(True, f"iterative_fgsm: exact on a hidden linear model, within the budget and [0, 1], and a "
                         f"hidden CNN's accuracy falls to {accuracy:.1%} at eps = {ITERATIVE_EPS:g}.")


def _judge_targeted(cases: Cases, results: list[CaseResult]) -> Verdict:
    success = None
    for case, result in zip(cases, results):
        problem, adversarial = _common_problem("targeted_fgsm", case, result)
        if problem:
            return Verdict(False, problem)
        if _is_linear(case):
            mismatch = _linear_mismatch(case, adversarial, case["target"], targeted=True)
            if mismatch > MAX_MISMATCH:
                return Verdict(False, f"targeted_fgsm: on a hidden linear model {mismatch:.1%} of the pixels "
                                      "differ from the targeted steps. A targeted attack *descends* the loss "
                                      "of the target class: x_adv - alpha * sign(dL(target)/dx), recomputed "
                                      "at the current x_adv, projected onto the eps-ball and [0, 1] each step.")
        else:
            predicted = _cnn_predictions(case, adversarial.astype(np.float32))
            success = float(np.mean(predicted == case["target"]))
            if success < TARGETED_MIN_SUCCESS:
                return Verdict(False, f"targeted_fgsm: a hidden CNN classifies only {success:.1%} of your "
                                      f"adversarial images as their target class; the reference reaches "
                                      f"about 85 % (bar: at least {TARGETED_MIN_SUCCESS:.0%}). A targeted "
                                      "attack *descends* the loss of the target class: "
                                      "x_adv - alpha * sign(dL(target)/dx).")
    return Verdict(True, f"targeted_fgsm: exact on a hidden linear model, within the budget and [0, 1], and "
                         f"{success:.1%} of the attacked images of a hidden CNN land on their target class.")


def _judge_universal(cases: Cases, results: list[CaseResult]) -> Verdict:
    case, result = cases[0], results[0]
    if result.outputs is None or len(result.outputs) != 1:
        return Verdict(False, "universal_perturbation must return one array, the perturbation delta.")
    delta = result.outputs[0]
    if delta.size != int(np.prod(IMAGE_SHAPE)) or delta.shape not in (IMAGE_SHAPE, (1, *IMAGE_SHAPE)):
        return Verdict(False, f"universal_perturbation returned shape {delta.shape}; it must return one "
                              f"perturbation of shape {IMAGE_SHAPE} shared by all images.")
    delta = delta.reshape(IMAGE_SHAPE)
    eps = float(case["eps"])
    if not np.all(np.isfinite(delta)):
        return Verdict(False, "universal_perturbation: delta contains NaN or infinite values.")
    size = float(np.max(np.abs(delta)))
    if size > eps + ATOL:
        return Verdict(False, f"universal_perturbation: max |delta| = {size:.4g} exceeds eps = {eps:g}; "
                              "project delta onto the eps-ball (clip to [-eps, eps]) after every update.")
    from course_utils import models

    rate = universal_fooling(models.classifier_from_weights({k: case[k] for k in hidden_cnn_weights()}), delta)
    if rate < UNIVERSAL_MIN_FOOLING:
        return Verdict(False, f"universal_perturbation: your delta changes a hidden CNN's prediction on "
                              f"{rate:.1%} of held-out images it never saw; the reference reaches 33-56 % "
                              f"(bar: at least {UNIVERSAL_MIN_FOOLING:.0%}). Ascend the *mean* loss over "
                              "many batches with sign steps on delta, projecting after each step.")
    return Verdict(True, f"universal_perturbation: |delta| <= {eps:g} and it fools a hidden CNN on "
                         f"{rate:.1%} of held-out images.")


# --------------------------------------------------------------------------- artifact
def robust_eval_data(profile: str) -> tuple[np.ndarray, np.ndarray]:
    """The MNIST test images (and labels) on which robust_cnn.keras is measured."""
    images, labels = _mnist("test")
    if profile != "full":
        return images[:ROBUST_EVAL_IMAGES_SMOKE], labels[:ROBUST_EVAL_IMAGES_SMOKE]
    return images, labels


def robust_measurements(model: Any, profile: str, *, extra_eps: tuple[float, ...] = ()) -> dict[str, float]:
    """What the artifact check measures on ``model`` (benchmarks/adversarial_bars.py records
    the same): clean accuracy and accuracy under the reference FGSM at ARTIFACT_EPS and
    ROBUST_EPS (and ``extra_eps``, for the benchmark) on :func:`robust_eval_data`."""
    import tensorflow as tf

    images, labels = robust_eval_data(profile)
    budgets = tuple(sorted({ARTIFACT_EPS, ROBUST_EPS, *extra_eps}))
    with tf.device("/CPU:0"):
        return robustness(model, images, labels, fgsm_eps=budgets, batch_size=EVAL_BATCH_SIZE)


def robust_verdict(measured: dict[str, float], profile: str) -> Verdict:
    """The artifact check's verdict on the numbers of :func:`robust_measurements`."""
    label = f"[{profile} profile]"
    clean, robust, strong = measured["clean"], measured[f"fgsm_{ARTIFACT_EPS:g}"], measured[f"fgsm_{ROBUST_EPS:g}"]
    bar = CLEAN_BARS[profile]
    if clean < bar:
        return Verdict(False, f"robust_cnn: {label} clean test accuracy {clean:.2%} on "
                              f"{len(robust_eval_data(profile)[1]):,} MNIST test images is below the bar of {bar:.0%}.")
    undefended = UNDEFENDED_FGSM_ACCURACY[profile]
    needed, needed_strong = round(undefended + ROBUST_MARGIN[profile], 3), ROBUST_MIN_ACCURACY[profile]
    facts = (f"{label} clean {clean:.2%}, under FGSM at eps = {ARTIFACT_EPS:g} {robust:.2%} "
             f"(undefended reference {undefended:.1%}), at eps = {ROBUST_EPS:g} {strong:.2%}")
    advice = ("Fine-tune on FGSM examples of each batch made with the current weights "
              "(adversarial_train_step), not on clean images only.")
    if robust < needed:
        return Verdict(False, f"robust_cnn: {facts}; an adversarially trained model must keep at least "
                              f"{needed:.0%} at eps = {ARTIFACT_EPS:g}. {advice}")
    if strong < needed_strong:
        return Verdict(False, f"robust_cnn: {facts}; an adversarially trained model must keep at least "
                              f"{needed_strong:.0%} at eps = {ROBUST_EPS:g} (more training on clean images "
                              f"alone leaves about as little as the undefended CNN). {advice}")
    return Verdict(True, f"robust_cnn: {facts}.")


def judge_robust_cnn(path: Path, profile: str) -> Verdict:
    """Load ``robust_cnn.keras`` safely; check its contract, then :func:`robust_verdict`."""
    from course_utils import metrics, training

    try:
        model = training.load_artifact(path, compile=False)
    except training.ArtifactError as exc:
        return Verdict(False, f"robust_cnn: {exc}")
    inputs = list(getattr(model, "inputs", None) or [])
    if len(inputs) != 1 or tuple(inputs[0].shape)[1:] != IMAGE_SHAPE:
        shapes = [tuple(i.shape) for i in inputs]
        return Verdict(False, f"robust_cnn: the model must take one input of shape (None, 28, 28, 1), "
                              f"it takes {shapes}.")
    images, labels = robust_eval_data(profile)
    scores = np.asarray(model(images[:2], training=False))
    if scores.shape != (2, NUM_CLASSES):
        return Verdict(False, f"robust_cnn: for 2 images the model returned shape {scores.shape}; "
                              "it must return (2, 10) logits.")
    verdict = robust_verdict(robust_measurements(model, profile), profile)
    bar = CLEAN_BARS[profile]
    if not verdict.passed and "clean test accuracy" in verdict.message and metrics.accuracy(
            model, images * 255.0, labels) >= bar:
        return Verdict(False, verdict.message + " It does reach the bar on raw pixels in [0, 255]: in this "
                                                "assignment models take pixels scaled to [0, 1] (no Rescaling layer).")
    return verdict


CHECKS = [
    FunctionCheck(
        id="fgsm", points=3,
        description="FGSM: budget, pixel range, input untouched, exact on linear models, effect on a CNN",
        make_cases=_make_fgsm_cases, judge=_judge_fgsm,
    ),
    FunctionCheck(
        id="iterative_fgsm", points=3,
        description="iterative FGSM: projected onto the eps-ball and [0, 1], effect on a CNN at eps = 0.1",
        make_cases=_make_iterative_cases, judge=_judge_iterative,
    ),
    FunctionCheck(
        id="targeted_fgsm", points=3,
        description="targeted iterative FGSM: budget and success rate on a CNN",
        make_cases=_make_targeted_cases, judge=_judge_targeted,
    ),
    FunctionCheck(
        id="universal_perturbation", points=3,
        description="universal perturbation: |delta| <= eps and fooling rate on held-out images",
        make_cases=_make_universal_cases, judge=_judge_universal,
    ),
    ArtifactCheck(
        id="robust_cnn", points=4, path="robust_cnn.keras",
        description="adversarially trained CNN: clean accuracy and accuracy under FGSM at eps = 0.1 and 0.25",
        judge=judge_robust_cnn,
    ),
]
