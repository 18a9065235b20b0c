"""The hidden data and cases of 04_visualising's checks (grader side only, never shipped).

Why a module of its own: the cases are where each clause of an exercise's text is exercised
(``_visualising_contract`` names, per clause, the case that does it), so they are written
in one place, fixed edge cases first and the secret's random draws after. The hidden CNN is
week 3's (``hidden_cnn_weights``), MNIST images are float32 in [0, 1], models travel as
named weight arrays (``course_utils.models``). A case holds only what the grade cell hands
to the student's function: an optional argument appears in a case only when that case
gives it (the grade cell passes it on through ``models.with_classifier``), so the defaults
are judged by the other cases.

Clause cases are at fixed positions after the effect cases; the judges of
``04_visualising`` find them by the ``*_CASE`` indices below.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

import numpy as np

from autograder.verdicts.judging import Cases

NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)
LAYER_SHAPES = {"conv1": (26, 26, 8), "pool1": (13, 13, 8), "conv2": (11, 11, 16), "pool2": (5, 5, 16)}

# Activation maximisation: the effect cases (one per layer), then the clause cases.
AM_RHO, AM_STEPS, AM_UNITS = 10.0, 50, 8
AM_LAYERS = ("conv2", "pool2")
AM_START, AM_SAME_SEED, AM_STILL, AM_OTHER_SEED, AM_ONE_START = 2, 3, 4, 5, 6
AM_SEED = 5  # the clause cases' seed
# Class models: the effect case, then the clause cases.
CLASS_LAMBDA, CLASS_STEPS = 0.1, 100
CLASS_AT_START, CLASS_STILL, CLASS_SEEDED, CLASS_SAME_SEED = 1, 2, 3, 4
# Inversion: the effect cases (one per layer), then the clause cases.
INVERSION_LAMBDA, INVERSION_MU, INVERSION_STEPS, INVERSION_IMAGES = 1e-3, 1e-2, 50, 6
INVERSION_LAYERS = ("conv1", "pool2")
INVERT_START, INVERT_SAME_SEED, INVERT_STILL, INVERT_BETA = 2, 3, 4, 5
INVERT_SEED, INVERT_BETA_VALUE, INVERT_BETA_MU, INVERT_BETA_STEP = 5, 4.0, 10.0, 0.01


# --------------------------------------------------------------------------- hidden data and model
def hidden_cnn_weights() -> dict[str, np.ndarray]:
    """The course's hidden small CNN (week 3's, trained once per machine and cached)."""
    return importlib.import_module("autograder.checks.03_adversarial").hidden_cnn_weights()


def model_of(case: dict[str, Any]) -> Any:
    """The hidden model a case carries (its ``*_kernel``/``*_bias`` or ``kernel``/``bias`` arrays)."""
    from course_utils import models

    return models.classifier_from_weights({k: case[k] for k in case if k.endswith(("_kernel", "_bias"))
                                           or k in ("kernel", "bias")})


@functools.lru_cache(maxsize=None)
def _mnist(split: str) -> tuple[np.ndarray, np.ndarray]:
    """The whole MNIST ``split`` as float32 images in [0, 1] and int64 labels, once per process
    (read from the NumPy copy ``course data prepare`` keeps: a fraction of a second)."""
    from course_utils import data

    images, labels = data.load_numpy("mnist", split, limit="all")
    return images.astype(np.float32) / np.float32(255.0), labels.astype(np.int64)


@functools.lru_cache(maxsize=None)
def _mean_image() -> np.ndarray:
    from course_utils import data

    images, _ = data.load_numpy("mnist", "train", limit="all")
    return (images.astype(np.float32) / np.float32(255.0)).mean(axis=0, keepdims=True)


def mean_image() -> np.ndarray:
    """The mean MNIST training image (1, 28, 28, 1) float32: the class-model check's baseline
    (the mean of all 60,000; only the mean is kept, not the images)."""
    return _mean_image().copy()


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


def features(weights: dict[str, np.ndarray], layer: str, images: np.ndarray) -> np.ndarray:
    """The output of ``layer`` of the model ``weights`` on ``images``, float32."""
    from course_utils import models

    extractor = models.feature_extractor(models.classifier_from_weights(weights), layer)
    return np.asarray(extractor(images, training=False), dtype=np.float32)


# --------------------------------------------------------------------------- cases
def make_saliency_cases(rng: np.random.Generator) -> Cases:
    digits, labels = _digits(rng, 12)
    noisy = np.clip(digits[:6] + rng.normal(0.0, 0.2, size=digits[:6].shape), 0, 1).astype(np.float32)
    return [{**_linear(rng), "x": digits[:5], "classes": _other_classes(rng, labels[:5])},
            {**hidden_cnn_weights(), "x": digits, "classes": _other_classes(rng, labels)},
            {**hidden_cnn_weights(), "x": noisy, "classes": rng.integers(0, NUM_CLASSES, size=6)}]


def make_projection_cases(rng: np.random.Generator) -> Cases:
    colour = rng.uniform(0.0, 1.0, size=(3, 7, 9, 3))
    colour[1] *= 1e-3  # tiny: must be scaled *up* to rho (a projection onto the ball would not)
    colour[2] *= 1e3
    return [{"x": rng.normal(size=(5, *IMAGE_SHAPE)).astype(np.float32), "rho": 10.0},
            {"x": colour.astype(np.float32), "rho": 2.5},
            {"x": _digits(rng, 4)[0] * np.float32(0.1), "rho": 7.0},
            {"x": rng.normal(size=(1, 4, 6, 2)).astype(np.float32), "rho": 1.0}]


def units_of(rng: np.random.Generator, layer: str, count: int = AM_UNITS) -> np.ndarray:
    """``count`` distinct channels of ``layer`` at positions away from the border, (U, 3) int (i, j, k)."""
    height, width, channels = LAYER_SHAPES[layer]
    margin = max(1, height // 5)
    rows = rng.integers(margin, height - margin, size=count)
    cols = rng.integers(margin, width - margin, size=count)
    return np.stack([rows, cols, rng.choice(channels, size=count, replace=False)], axis=1).astype(np.int64)


def make_activation_cases(rng: np.random.Generator) -> Cases:
    """Per layer 8 units, 50 steps (the effect); then, on conv2: the start (``steps=0``), the
    same seed again, 10 steps of ``step_size=0`` (must stay at the start), another seed, and
    ``starts=1`` for all 16 channels (one random start each, not the best of many)."""
    weights = hidden_cnn_weights()
    effect = [{**weights, "layer": layer, "units": units_of(rng, layer), "rho": AM_RHO, "steps": AM_STEPS}
              for layer in AM_LAYERS]
    base = {**weights, "layer": "conv2", "units": units_of(rng, "conv2"), "rho": AM_RHO}
    clauses = [{**base, "steps": 0, "seed": AM_SEED}, {**base, "steps": 0, "seed": AM_SEED},
               {**base, "steps": 10, "step_size": 0.0, "seed": AM_SEED}, {**base, "steps": 0, "seed": AM_SEED + 1},
               {**weights, "layer": "conv2", "units": units_of(rng, "conv2", LAYER_SHAPES["conv2"][2]),
                "rho": AM_RHO, "steps": 0, "starts": 1, "seed": AM_SEED + 2}]
    return effect + clauses


def make_class_objective_cases(rng: np.random.Generator) -> Cases:
    digits, _ = _digits(rng, 8)
    signed = rng.uniform(-1.0, 1.0, size=(6, *IMAGE_SHAPE)).astype(np.float32)  # negative pixels too
    return [{**_linear(rng), "x": digits[:4], "classes": rng.integers(0, NUM_CLASSES, size=4), "lam": 0.1},
            {**hidden_cnn_weights(), "x": digits, "classes": rng.integers(0, NUM_CLASSES, size=8), "lam": 0.1},
            {**hidden_cnn_weights(), "x": signed, "classes": rng.integers(0, NUM_CLASSES, size=6), "lam": 0.03}]


def make_class_model_cases(rng: np.random.Generator) -> Cases:
    """All ten classes, 100 steps (the effect); then a given ``start`` with ``steps=0`` and with
    3 steps of ``step_size=0`` (both must return it), and the same ``seed`` twice with ``steps=0``."""
    weights = hidden_cnn_weights()
    start = (0.3 * rng.normal(size=(2, *IMAGE_SHAPE))).astype(np.float32)
    classes = rng.choice(NUM_CLASSES, size=2, replace=False)
    return [{**weights, "classes": rng.permutation(NUM_CLASSES), "lam": CLASS_LAMBDA, "steps": CLASS_STEPS},
            {**weights, "classes": classes, "lam": CLASS_LAMBDA, "steps": 0, "start": start},
            {**weights, "classes": classes, "lam": CLASS_LAMBDA, "steps": 3, "step_size": 0.0, "start": start},
            {**weights, "classes": classes, "lam": CLASS_LAMBDA, "steps": 0, "seed": 7},
            {**weights, "classes": classes, "lam": CLASS_LAMBDA, "steps": 0, "seed": 7}]


def make_tv_cases(rng: np.random.Generator) -> Cases:
    """beta = 2, 1, 1.5 and 2 given, then beta left at its default (2) on a non-square image."""
    digits, _ = _digits(rng, 2)
    return [{"x": rng.normal(size=(3, 9, 11, 2)).astype(np.float32), "beta": 2.0},
            {"x": digits, "beta": 1.0},
            {"x": rng.uniform(size=(4, 6, 5, 3)).astype(np.float32), "beta": 1.5},
            {"x": np.full((1, 5, 5, 1), 0.7, dtype=np.float32), "beta": 2.0},
            {"x": rng.uniform(size=(2, 7, 4, 1)).astype(np.float32)}]


def make_inversion_loss_cases(rng: np.random.Generator) -> Cases:
    """Two layers at the default beta, then both again with beta = 3 and 4 (beta > 2: the
    gradient of TV^beta is defined where neighbours are equal, as on a digit's background)."""
    weights = hidden_cnn_weights()
    digits, _ = _digits(rng, 8)
    start = np.clip(digits[4:] + rng.normal(0.0, 0.1, size=digits[4:].shape), 0, 1).astype(np.float32)
    settings = (("conv1", 0.01, 0.1, None), ("pool2", 0.1, 0.5, None), ("conv1", 0.01, 0.1, 3.0),
                ("pool2", 0.1, 0.5, 4.0))
    return [{**weights, "layer": layer, "x": start, "target_features": features(weights, layer, digits[:4]),
             "lam": lam, "mu": mu, **({} if beta is None else {"beta": beta})}
            for layer, lam, mu, beta in settings]


def make_inversion_cases(rng: np.random.Generator) -> Cases:
    """Per layer 50 steps (the effect); then, on conv1 for two targets: the start (``steps=0``),
    the same seed again, 3 steps of ``step_size=0`` (must stay at the start), and one step with
    ``beta=4`` and a large mu, whose direction says which beta was used."""
    weights = hidden_cnn_weights()
    digits, _ = _digits(rng, INVERSION_IMAGES)
    effect = [{**weights, "layer": layer, "target_features": features(weights, layer, digits),
               "lam": INVERSION_LAMBDA, "mu": INVERSION_MU, "steps": INVERSION_STEPS} for layer in INVERSION_LAYERS]
    base = {**weights, "layer": "conv1", "target_features": features(weights, "conv1", digits[:2]),
            "lam": INVERSION_LAMBDA, "mu": INVERSION_MU, "seed": INVERT_SEED}
    clauses = [{**base, "steps": 0}, {**base, "steps": 0}, {**base, "steps": 3, "step_size": 0.0},
               {**base, "mu": INVERT_BETA_MU, "beta": INVERT_BETA_VALUE, "steps": 1, "step_size": INVERT_BETA_STEP}]
    return effect + clauses
