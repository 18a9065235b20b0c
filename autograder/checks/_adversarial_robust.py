"""The artifact check of 03_adversarial: ``robust_cnn.keras``, served (:mod:`autograder.verdicts.served`)
and attacked with the reference FGSM, against bars measured over seeds (grader side only).

Models take ``x: (N, 28, 28, 1)`` float32 in [0, 1] and return ``(N, 10)`` logits (or probabilities).

Served in fresh sandboxed model processes, which have no token, no judge secret and no dataset within
reach, only the arrays a question sends; the grader holds the images and the labels, computes every
accuracy from the logits that come back and writes the verdict (issue 28):

1. ``clean`` ``(N, 28, 28, 1)``: the evaluation images, never a label -> logits ``(N, 10)``. The
   grader computes the clean accuracy, and decides from the first 64 rows whether the model returns
   probabilities (:func:`~autograder.checks._adversarial_reference.are_probabilities`: the attack's
   loss then takes probabilities).
2. Only when the clean accuracy reaches its bar, in a second, fresh process: ``fgsm`` (or
   ``fgsm_probabilities``) ``(n, 785)``, the first ``n = ROBUST_ATTACK_IMAGES`` images flattened beside
   their labels -> ``(n, 20)``, the logits on the reference FGSM images at ARTIFACT_EPS (columns 0-9)
   and ROBUST_EPS (10-19). FGSM needs the gradient of the loss of the true label with respect to the
   input through the student's model, so this process holds the labels; the course's own
   :func:`~autograder.checks._adversarial_reference.fgsm_reference` computes the attack there, batch by
   batch, as :func:`robust_measurements` does in one process. The labels are those of MNIST's public
   test split (``PUBLIC_EVALUATION_DATASETS``), which a model could carry in its weights anyway: what
   this process returns is a claim no stronger than the outputs of any served model.
3. Only below the clean bar, for the hint, in a process of its own: ``raw``, the images times 255 ->
   logits ``(N, 10)``.

A contract problem (not one input of shape ``(None, 28, 28, 1)``, not ``(2, 10)`` scores for two
images of zeros) is found where the model loads. Rows that are not all finite, and outputs that did
not come back, count as wrong. :func:`judge_robust_cnn` asks the same questions in one process
(instructor tools, tests); :func:`robust_measurements` measures a live model (the benchmarks), and a
model gets the same numbers, so the same verdict, either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from autograder.checks._adversarial_hidden import IMAGE_SHAPE, NUM_CLASSES, mnist
from autograder.checks._adversarial_reference import are_probabilities, fgsm_reference, robustness
from autograder.verdicts.judging import Verdict
from autograder.verdicts.served import InProcessModel, ModelLoadError, ModelQuery, Served

# --------------------------------------------------------------------------- artifact bars
# robust_cnn.keras is measured by robust_measurements (clean accuracy, accuracy under the
# reference FGSM) on the MNIST test split: full, clean accuracy on all 10,000 images and FGSM
# on the first 5,000 (ROBUST_ATTACK_IMAGES, see "Sample sizes" below); smoke, the first 2,000
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
#     Full, 20 seeds (0-19) of benchmarks/results/adversarial_bars_full.json, the same
#     variants on all 10,000 test images (adversarial examples only: seeds 2-19), min / median / max:
#                                   clean               FGSM 0.1             FGSM 0.25
#     undefended (not fine-tuned)   98.5 / 98.7 / 98.8   78.8 / 82.2 / 84.4    6.5 /  9.2 / 14.8
#     clean-only fine-tuning        98.6 / 98.8 / 99.1   79.3 / 82.4 / 84.8    8.5 / 10.9 / 16.3
#     FGSM precomputed once         98.3 / 98.7 / 98.9   18.4 / 62.5 / 74.4    0.4 /  1.5 /  5.6
#     adversarial (the notebook's)  98.6 / 98.8 / 98.9   95.0 / 95.3 / 95.7   74.3 / 75.8 / 79.5
#     adversarial examples only     98.6 / 98.7 / 98.8   95.2 / 95.4 / 95.7   75.9 / 78.0 / 81.3
#     -> full >= 45 %: 29 points above the best clean-only model, 29 below the worst
#     adversarially trained one (a 10,000-image estimate has a standard deviation of 0.5
#     points); clean-only and precomputed fail 20 of 20 seeds, the notebook's training passes
#     20 of 20 and the Madry-style one 18 of 18. The eps = 0.1 bar (89.6 %) also rejects both
#     wrong variants, by 4.8 and 15 points. In the full profile, 938 steps make examples
#     computed once stale: the model trained on them is worse than the undefended one
#     under its own FGSM.
#   FGSM examples computed once before training cannot be told from the artifact in the
#     smoke profile (in the full profile they fail both FGSM bars in 20 of 20 seeds, above):
#     after one epoch on 2,000 images (32 steps) the model has moved so little that its
#     own FGSM examples and those of its starting point are nearly the same, and the
#     precomputed model is as robust at every budget measured (per seed, against the
#     notebook's: -0.6 to +1.8 points at eps 0.1, +0.1 to +4.2 at 0.2, +0.7 to +4.7 at
#     0.25). It is caught, in both profiles, by the function check of adversarial_train_step
#     (_adversarial_train_step.py: examples made once fail from the second step on).
#
# Sample sizes (issue 32: as many images as each bar needs). Clean accuracy costs one prediction
# an image and keeps every image (full 97 % bar, 1.3 points below the worst recorded right model:
# a standard error of 0.17 points at n = 10,000). FGSM costs a gradient and a second prediction an
# image and budget; in the full profile it is measured on the first 5,000 test images, half the
# former cost. That this leaves every recorded verdict as it was needs no luck: an accuracy p over
# all N = 10,000 images is, on any n of them, between (pN - (N - n)) / n and pN / n. With n = 5,000
# and the extremes of adversarial_bars_full.json:
#   eps = 0.25, bar 45 %: right models >= 74.3 % on all -> >= 48.6 % on the 5,000; clean-only
#     <= 16.3 %, undefended <= 14.8 %, precomputed <= 5.6 % -> <= 32.6 / 29.7 / 11.2 %: all fail.
#   eps = 0.1, bar 89.6 %: right models >= 94.95 % -> >= 89.9 % (n >= 4,856 is needed).
# Standard error of a 5,000-image estimate at the bars: 0.70 points at 45 % (margins 29 points,
# 41 standard errors, each side), 0.43 points at 89.6 % (margins 5.4 and 4.8 points, 11 or more).
# Smoke keeps its 2,000 (the bound would need n >= 1,876 for the 21 % bar: no saving worth it).
ARTIFACT_EPS = 0.1
CLEAN_BARS = {"full": 0.97, "smoke": 0.70}
UNDEFENDED_FGSM_ACCURACY = {"full": 0.816, "smoke": 0.68}
ROBUST_MARGIN = {"full": 0.08, "smoke": 0.03}
ROBUST_EPS = 0.25
ROBUST_MIN_ACCURACY = {"full": 0.45, "smoke": 0.21}
ROBUST_EVAL_IMAGES_SMOKE = 2_000  # the first MNIST test images (full: all 10,000)
ROBUST_ATTACK_IMAGES = {"full": 5_000, "smoke": ROBUST_EVAL_IMAGES_SMOKE}  # the first of those, under FGSM
EVAL_BATCH_SIZE = 500


def robust_eval_data(profile: str) -> tuple[np.ndarray, np.ndarray]:
    """The MNIST test images (and labels) on which robust_cnn.keras is measured."""
    images, labels = mnist("test")
    if profile != "full":
        return images[:ROBUST_EVAL_IMAGES_SMOKE], labels[:ROBUST_EVAL_IMAGES_SMOKE]
    return images, labels


def robust_measurements(model: Any, profile: str, *, extra_eps: tuple[float, ...] = ()) -> dict[str, float]:
    """What the artifact check measures on ``model`` (benchmarks/adversarial_bars.py records
    the same): clean accuracy on :func:`robust_eval_data`, and accuracy under the reference
    FGSM at ARTIFACT_EPS and ROBUST_EPS (and ``extra_eps``, for the benchmark) on its first
    ``ROBUST_ATTACK_IMAGES[profile]`` images."""
    import tensorflow as tf

    images, labels = robust_eval_data(profile)
    attacked = ROBUST_ATTACK_IMAGES[profile]
    budgets = tuple(sorted({ARTIFACT_EPS, ROBUST_EPS, *extra_eps}))
    with tf.device("/CPU:0"):
        measured = robustness(model, images[:attacked], labels[:attacked], fgsm_eps=budgets,
                              batch_size=EVAL_BATCH_SIZE)
        if attacked < len(labels):  # clean accuracy over every image: the rest added to the counts
            rest = robustness(model, images[attacked:], labels[attacked:], batch_size=EVAL_BATCH_SIZE)["clean"]
            correct = round(measured["clean"] * attacked) + round(rest * (len(labels) - attacked))
            measured["clean"] = correct / len(labels)
    return measured


def robust_verdict(measured: dict[str, float], profile: str) -> Verdict:
    """The artifact check's verdict on the numbers of :func:`robust_measurements` (``{"clean", "fgsm_0.1",
    "fgsm_0.25"}``, accuracies in [0, 1]; below the clean bar only ``clean`` is read)."""
    label = f"[{profile} profile]"
    clean, bar = measured["clean"], CLEAN_BARS[profile]
    if clean < bar:
        return Verdict(False, f"robust_cnn: {label} clean test accuracy {clean:.2%} on "
                              f"{len(robust_eval_data(profile)[1]):,} MNIST test images is below the bar of {bar:.0%}.")
    robust, strong = measured[f"fgsm_{ARTIFACT_EPS:g}"], measured[f"fgsm_{ROBUST_EPS:g}"]
    undefended = UNDEFENDED_FGSM_ACCURACY[profile]
    needed, needed_strong = round(undefended + ROBUST_MARGIN[profile], 3), ROBUST_MIN_ACCURACY[profile]
    facts = (f"{label} clean {clean:.2%}, under FGSM at eps = {ARTIFACT_EPS:g} {robust:.2%} "
             f"(undefended reference {undefended:.1%}), at eps = {ROBUST_EPS:g} {strong:.2%} "
             f"(FGSM on the first {ROBUST_ATTACK_IMAGES[profile]:,} test images)")
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


# --------------------------------------------------------------------------- served
CLEAN, RAW, FGSM, FGSM_PROBABILITIES = "clean", "raw", "fgsm", "fgsm_probabilities"
BUDGETS = (ARTIFACT_EPS, ROBUST_EPS)  # the FGSM answer's blocks of NUM_CLASSES columns, in this order
PIXELS = int(np.prod(IMAGE_SHAPE))
PROBABILITY_ROWS = 64  # the rows of the clean answer that tell logits from probabilities, as robustness does


def _load(path: Path) -> tuple[Any, dict[str, Any]]:
    """Model process: the saved model, if it keeps the contract (one input ``(None, 28, 28, 1)``, ``(2, 10)``
    scores for two images of zeros: shapes do not depend on the pixels, and no image is sent before it loads)."""
    from course_utils import training

    try:
        model = training.load_artifact(path, compile=False)
    except training.ArtifactError as exc:
        raise ModelLoadError(str(exc)) from None
    inputs = list(getattr(model, "inputs", None) or [])
    if len(inputs) != 1 or tuple(inputs[0].shape)[1:] != IMAGE_SHAPE:
        shapes = [tuple(i.shape) for i in inputs]
        raise ModelLoadError(f"the model must take one input of shape (None, 28, 28, 1), it takes {shapes}.")
    scores = np.asarray(model(np.zeros((2, *IMAGE_SHAPE), np.float32), training=False))
    if scores.shape != (2, NUM_CLASSES):
        raise ModelLoadError(f"for 2 images the model returned shape {scores.shape}; it must return (2, 10) logits.")
    return model, {}


def _scores(model: Any, images: np.ndarray) -> np.ndarray:
    """``model``'s scores ``(N, 10)`` on ``images`` ``(N, 28, 28, 1)``, in the batches ``metrics.accuracy`` uses."""
    batches = [np.asarray(model(images[s:s + EVAL_BATCH_SIZE], training=False), dtype=np.float32)
               for s in range(0, len(images), EVAL_BATCH_SIZE)]
    return np.concatenate(batches) if batches else np.zeros((0, NUM_CLASSES), np.float32)


def _predict(model: Any, name: str, batch: np.ndarray) -> np.ndarray:
    """Model process: scores on images (``clean``, ``raw``: ``(N, 28, 28, 1)`` -> ``(N, 10)``), or on their
    reference FGSM images at each of :data:`BUDGETS` (``fgsm``, ``fgsm_probabilities``: ``(n, 785)``, pixels
    then label -> ``(n, 20)``), attacked and scored batch by batch as :func:`robustness` does."""
    import tensorflow as tf

    with tf.device("/CPU:0"):
        if name in (CLEAN, RAW):
            return _scores(model, np.asarray(batch, dtype=np.float32))
        images = np.asarray(batch[:, :PIXELS], dtype=np.float32).reshape(len(batch), *IMAGE_SHAPE)
        labels = np.asarray(batch[:, PIXELS], dtype=np.int64)
        attacked = [np.concatenate([fgsm_reference(model, images[s:s + EVAL_BATCH_SIZE], labels[s:s + EVAL_BATCH_SIZE],
                                                   eps, from_logits=name == FGSM)
                                    for s in range(0, len(images), EVAL_BATCH_SIZE)])
                    for eps in BUDGETS]
        return np.concatenate([_scores(model, x) for x in attacked], axis=1)


def _output_shape(name: str, n: int) -> tuple[int, ...]:
    """Grader: the shape the answer to ``n`` rows of question ``name`` must have (see :func:`_predict`)."""
    return (n, NUM_CLASSES * (len(BUDGETS) if name in (FGSM, FGSM_PROBABILITIES) else 1))


def _accuracy(scores: np.ndarray | None, labels: np.ndarray) -> float:
    """Share of rows whose arg-max is the label; a row not all finite, or scores that did not come back, is wrong."""
    if scores is None:
        return 0.0
    right = (np.argmax(scores, axis=1) == labels) & np.all(np.isfinite(scores), axis=1)
    return float(np.mean(right))


def fgsm_question(images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The FGSM question ``(n, 785)`` float32: each image's pixels, then its label (exact in float32)."""
    return np.concatenate([images.reshape(len(images), PIXELS), labels.reshape(-1, 1)], axis=1).astype(np.float32)


def _judge(query: ModelQuery, profile: str) -> Verdict:
    """Grader: the clean accuracy from the first process's scores; past its bar, the accuracies under FGSM
    from the second's (module doc); :func:`robust_verdict` on them."""
    images, labels = robust_eval_data(profile)
    answers = query.ask({CLEAN: images})
    if answers.error:
        return Verdict(False, f"robust_cnn: {answers.error}")
    if answers.call_error(CLEAN):
        return Verdict(False, f"robust_cnn: calling the model on test images failed ({answers.call_error(CLEAN)}).")
    scores = answers.outputs.get(CLEAN)
    clean, bar = _accuracy(scores, labels), CLEAN_BARS[profile]
    if clean < bar:
        verdict = robust_verdict({"clean": clean}, profile)
        if _accuracy(query.ask({RAW: images * 255.0}).outputs.get(RAW), labels) >= bar:
            return Verdict(False, verdict.message + " It does reach the bar on raw pixels in [0, 255]: in this "
                                                    "assignment models take pixels scaled to [0, 1] (no Rescaling layer).")
        return verdict
    name = FGSM_PROBABILITIES if are_probabilities(scores[:PROBABILITY_ROWS]) else FGSM
    count = ROBUST_ATTACK_IMAGES[profile]
    answers = query.ask({name: fgsm_question(images[:count], labels[:count])})
    if answers.error:
        return Verdict(False, f"robust_cnn: {answers.error}")
    if answers.call_error(name):
        return Verdict(False, f"robust_cnn: attacking the model with FGSM failed ({answers.call_error(name)}).")
    attacked = answers.outputs.get(name)
    measured = {"clean": clean}
    for block, eps in enumerate(BUDGETS):
        columns = None if attacked is None else attacked[:, block * NUM_CLASSES:(block + 1) * NUM_CLASSES]
        measured[f"fgsm_{eps:g}"] = _accuracy(columns, labels[:count])
    return robust_verdict(measured, profile)


ROBUST_SERVED = Served(load=_load, predict=_predict, output_shape=_output_shape, judge=_judge)


def judge_robust_cnn(path: Path, profile: str) -> Verdict:
    """``robust_cnn.keras`` loaded in this process (instructor tools, tests; the grader serves it)."""
    return ROBUST_SERVED.judge(InProcessModel(ROBUST_SERVED, path), profile)
