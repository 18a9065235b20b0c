"""A flag for the TA: a saved classifier that scores much better on the public test split than on
images like it that it was not trained on (grader side only; it never changes points).

Why (issue 28): without a private evaluation set (``COURSE_EVAL_DIR``) week 2's models are scored
on MNIST's / Fashion-MNIST's public test split, which the student's kernel can read and train on.
The grader also sends the sandboxed model process the last training images of the same dataset
(the notebook's validation split, which its recipe never trains on), mixed with the scored ones
(the process cannot tell which is which), and compares the two accuracies: an honest model scores
about as well on both (or better on the held-back ones, if it trained on them); a model trained on
the test split scores better on the test images.

Measured first (``benchmarks/memoriser_signal.py``, numbers beside :data:`FLAG_Z`): the issue's
suggestion, secret-transformed copies of the scored images (shifted by 1-2 pixels, pixel noise),
separates nothing (an honest model without augmentation loses 8.8 points on shifted copies, the
strongest memoriser 5.4), so the grader does not send them. Limits: a student who trains on the
training split *and* the test split is not flagged (both accuracies are then inflated alike), and a
memoriser that gains only what honest variants differ by is not either; only a private set closes it.
"""

from __future__ import annotations

import numpy as np

HELD_BACK = {"full": 5_000, "smoke": 500}  # the last training images (full: the notebook's validation split)


def held_back(dataset: str, profile: str) -> tuple[np.ndarray, np.ndarray]:
    """The held-back images (uint8, ``(N, 28, 28, 1)``) and labels the scored images are compared with."""
    from course_utils import data

    images, labels = data.load_numpy(dataset, "train", limit="all")
    return images[-HELD_BACK[profile]:], labels[-HELD_BACK[profile]:]


# When to flag (smoke, MNIST, 500 scored test images against 500 held-back ones: the accuracies of
# benchmarks/results/memoriser_signal_smoke.json, test - held back, in points, and z, that gap over
# its standard error (two proportions)):
#   honest (the notebook's recipe; seed 1; width 24; no augmentation):  +1.0, -2.4, -1.8, +3.4  (z <= 1.2)
#   trained on the first 1,834 test images, as the notebook trains:      +2.0 (z 1.0)
#     the same for 10 epochs: +1.0 (z 0.9); 10 epochs, no augmentation: +4.2 (z 3.8)
#   trained on the 500 scored images only until it knows them (100 %):  +7.0 (z 6.1)
# The gap alone does not separate them (+3.4 honest against +4.2); its significance does: an honest
# model's two accuracies are estimates of about the same number, a memoriser's are not. Flag at
# z >= 3 (about 1 honest model in 700 by chance) and a gap of at least MIN_GAP points. The memorisers
# left unflagged gain 1-2 points, no more than honest variants differ by: MNIST is easy enough that
# training on its test split makes a good classifier. Full profile (10,000 test images, 5,000 held
# back): not measured with memorisers; the reference scored +0.2 points (test 99.41 %, validation
# 99.24 %: z 1.2) on MNIST and -1.0 on Fashion-MNIST (benchmarks/results/cnn_reference_full_*.json).
FLAG_Z = 3.0
MIN_GAP = {"smoke": 0.03, "full": 0.01}


def gap_z(accuracy: float, count: int, held: float, held_count: int) -> float:
    """How many standard errors ``accuracy`` (on ``count`` images) lies above ``held`` (on ``held_count``)."""
    error = np.sqrt(accuracy * (1 - accuracy) / count + held * (1 - held) / held_count)
    return float((accuracy - held) / error) if error > 0 else 0.0


def note(accuracy: float, count: int, held: float, dataset: str, profile: str) -> str:
    """A line for the TA when ``accuracy`` on the ``count`` scored test images lies significantly above
    ``held``, the held-back images' (see FLAG_Z), else ""; never points."""
    z = gap_z(accuracy, count, held, HELD_BACK[profile])
    if z < FLAG_Z or accuracy - held < MIN_GAP[profile]:
        return ""
    return (f"possible memoriser of the public {dataset} test split: {accuracy:.1%} on the {count:,} test images "
            f"scored, {held:.1%} on {HELD_BACK[profile]:,} held-back training images ({z:.1f} standard errors "
            "apart; an honest model scores about the same on both). Points unchanged; a private evaluation set "
            "(COURSE_EVAL_DIR) would settle it.")
