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
separates nothing on MNIST (an honest model without augmentation loses 8.8 points on shifted copies,
the memorisers 0.2-5.4; noise is worse still), so the grader does not send them. On Fashion-MNIST
shifted copies did separate the 8 models measured (honest lose 1.0-2.4 points, memorisers 3.6-8.4):
a candidate second signal for that dataset, not used until more honest variants are measured. Limits: a student who trains on the
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
    return images[-HELD_BACK[profile]:].copy(), labels[-HELD_BACK[profile]:].copy()  # not the whole split kept


# When to flag. Smoke, 500 scored test images against 500 held-back ones, trained on the 2-core machine
# (benchmarks/results/memoriser_signal_smoke.json): test - held back in points, and z, that gap over its
# standard error (two proportions, :func:`gap_z`):
#                                                        MNIST             Fashion-MNIST
#   honest: the notebook's recipe                         +1.0 (z  0.5)     -1.2 (z -0.4)
#           seed 1 / width 24                       -2.4 / -1.8 (z <= 0)   -2.0 / -1.8 (z <= 0)
#           no augmentation                               +3.4 (z  1.2)     -2.4 (z -0.8)
#   trained on the first 1,834 test images, as the notebook trains: +2.0 (z 1.0)  -3.2 (z -1.1)
#           the same for 10 epochs                        +1.0 (z  0.9)     +5.6 (z  2.6)
#           10 epochs, no augmentation                    +4.2 (z  3.7)     +6.4 (z 2.95)
#           on the 500 scored images only                 +7.0 (z  6.1)     +9.4 (z  3.9)
# The gap alone does not separate them (+3.4 honest against +4.2); its significance does better: an
# honest model's two accuracies estimate about the same number, a memoriser's do not. Flag at z >= 3
# (an honest model by chance: about 1 in 700) and a gap of at least MIN_GAP: 3 of the 8 memorisers,
# none of the 8 honest models (highest z 1.2). Not flagged: memorisers that gain what honest variants
# differ by (MNIST is easy enough that training on its test split makes a good classifier), and two
# Fashion-MNIST ones just under the bar (z 2.6 and 2.95: Fashion's held-back images are about 2 points
# easier than its test images for every honest model, which hides part of their gap). Full profile
# (10,000 test images, 5,000 held back): not measured with memorisers; the reference scored +0.2 points
# on MNIST (test 99.41 %, validation 99.24 %: z 1.2) and -1.0 on Fashion-MNIST
# (benchmarks/results/cnn_reference_full_*.json).
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
