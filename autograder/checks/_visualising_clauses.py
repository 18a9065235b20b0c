"""Judging the clause cases of 04_visualising's optimisers (``_visualising_cases``).

Why apart from the effect judges: these cases hold a function to one clause of its text each
(``start``, ``steps``, ``step_size``, ``seed``, ``starts``, ``beta``) by comparing calls with each
other (``steps=0`` returns the start; ``step_size=0`` must stay there; the same seed twice, the
same images) or with what the grader computes itself, so that an optimiser that works but
ignores an argument is caught without requiring one particular optimiser: every comparison
holds for plain, normalised and Adam steps alike. Each function returns the problem, in words
meant for the student, or None.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def differs(first: np.ndarray, second: np.ndarray, tolerance: float) -> bool:
    """Whether two outputs that must agree do not: another shape, or a largest difference above
    ``tolerance`` times the larger of their largest magnitudes (float32 rounding is ~1e-7)."""
    first, second = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    if first.shape != second.shape:
        return True
    scale = max(float(np.max(np.abs(first), initial=0.0)), float(np.max(np.abs(second), initial=0.0)), 1e-12)
    return bool(np.max(np.abs(first - second), initial=0.0) > tolerance * scale)


def repeat_problem(name: str, start: np.ndarray, again: np.ndarray, still: np.ndarray, tolerance: float,
                   *, still_steps: int, start_words: str) -> str | None:
    """The ``seed``, ``steps`` and ``step_size`` clauses of an optimiser, from three calls with the
    same seed: ``steps=0`` (``start``), the same call again (``again``) and ``still_steps`` steps
    of ``step_size=0`` (``still``), which must all return the same images."""
    if differs(start, again, tolerance):
        return (f"{name}: two calls with the same seed (steps=0) returned different images; draw the "
                "random start from the seed you are given, e.g. np.random.default_rng(seed), so that "
                "a run can be repeated.")
    if differs(start, still, tolerance):
        return (f"{name}: with steps=0 you return {start_words}, but {still_steps} steps of step_size=0 "
                "(the same seed) moved away from it; take exactly `steps` steps, each scaled by the "
                "`step_size` you are given.")
    return None


def given_start_problem(name: str, start: np.ndarray, at_start: np.ndarray, still: np.ndarray,
                        tolerance: float, *, still_steps: int) -> str | None:
    """The ``start``, ``steps`` and ``step_size`` clauses of an ascent from a given ``start``:
    ``steps=0`` (``at_start``) and ``still_steps`` steps of ``step_size=0`` (``still``) must both
    return ``start`` itself."""
    moved, still_moved = differs(start, at_start, tolerance), differs(start, still, tolerance)
    if moved and still_moved:
        return (f"{name}: with start given your images are not that start, even with steps=0; begin "
                "the ascent from `start` when it is given (the noise only when start is None).")
    if moved:
        return (f"{name}: with start given and steps=0 your images moved away from the start; take "
                "exactly `steps` steps.")
    if still_moved:
        return (f"{name}: {still_steps} steps of step_size=0 moved away from the given start; scale each "
                "step by the `step_size` you are given.")
    return None


def other_seed_problem(name: str, first: np.ndarray, other: np.ndarray, tolerance: float) -> str | None:
    """The ``seed`` clause's other half: another seed, another random start."""
    if not differs(first, other, tolerance):
        return (f"{name}: two different seeds (steps=0) gave the same start; draw the random starts "
                "from the `seed` you are given, e.g. np.random.default_rng(seed).")
    return None


def start_quantiles(model: Any, layer: str, units: np.ndarray, images: np.ndarray, rho: float,
                    count: int, seed: int = 0) -> np.ndarray:
    """Per unit, the share of ``count`` of the judge's own starts (uniform [-1, 1] noise on the
    sphere of radius ``rho``) on which the unit responds strictly less than on ``images[u]``; (U,)."""
    from autograder.checks._visualising_reference import project_reference, unit_activations
    from course_utils import models

    noise = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(count, 28, 28, 1))
    candidates = project_reference(noise, rho).astype(np.float32)
    maps = np.asarray(models.feature_extractor(model, layer)(candidates, training=False), dtype=np.float64)
    units = np.asarray(units, dtype=np.int64)
    random_responses = maps[:, units[:, 0], units[:, 1], units[:, 2]]  # (count, U)
    reached = unit_activations(model, layer, np.asarray(images, dtype=np.float32), units)
    return np.mean(random_responses < reached[None, :], axis=0)


def beta_step_agreement(model: Any, case: dict[str, Any], start: np.ndarray, stepped: np.ndarray,
                        min_pixels: int) -> float | None:
    """Share of the telling pixels where one step from ``start`` went against the gradient of the
    objective with the case's ``beta`` (None when fewer than ``min_pixels`` pixels tell).

    Telling: the gradients of the objective with the case's beta and with beta = 2 have opposite
    signs there, and the step moved the pixel. A step that ignores beta goes the other way there.
    """
    from autograder.checks._visualising_reference import inversion_loss_reference

    arguments = (model, str(case["layer"]), np.asarray(start, dtype=np.float32), case["target_features"],
                 float(case["lam"]), float(case["mu"]))
    _, gradient = inversion_loss_reference(*arguments, beta=float(case["beta"]))
    _, default = inversion_loss_reference(*arguments, beta=2.0)
    step = np.asarray(stepped, dtype=np.float64) - np.asarray(start, dtype=np.float64)
    telling = (np.sign(gradient) * np.sign(default) < 0) & (step != 0)
    if int(np.sum(telling)) < min_pixels:
        return None
    return float(np.mean(np.sign(step[telling]) == -np.sign(gradient[telling])))
