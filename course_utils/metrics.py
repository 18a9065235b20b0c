"""How good a classifier is, and how good it stays under attack.

Shared by the notebooks (to draw accuracy-vs-ε curves) and the grader (to
measure the effect of a student's attack on a hidden model), so both count the
same way. Models return scores ``(N, K)`` (logits or probabilities: only the
arg-max matters here); images are ``x: (N, 28, 28, 1)`` float in ``[0, 1]``.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["predict_classes", "accuracy", "accuracy_under_attack", "fooling_rate"]

Attack = Callable[[Any, np.ndarray, np.ndarray, float], Any]


def predict_classes(model: Any, images: Any, *, batch_size: int = 500) -> np.ndarray:
    """Predicted class ids ``(N,)`` of ``model`` on ``images`` ``(N, H, W, C)``."""
    images = np.asarray(images, dtype=np.float32)
    predictions = []
    for start in range(0, len(images), batch_size):
        scores = np.asarray(model(images[start:start + batch_size], training=False))
        predictions.append(np.argmax(scores, axis=1))
    return np.concatenate(predictions) if predictions else np.zeros(0, dtype=np.int64)


def accuracy(model: Any, images: Any, labels: Any, *, batch_size: int = 500) -> float:
    """Share of ``images`` whose predicted class equals ``labels`` ``(N,)``."""
    labels = np.asarray(labels).reshape(-1)
    return float(np.mean(predict_classes(model, images, batch_size=batch_size) == labels))


def accuracy_under_attack(model: Any, attack: Attack, images: Any, labels: Any,
                          epsilons: Sequence[float], *, batch_size: int = 500) -> np.ndarray:
    """Accuracy of ``model`` on ``attack(model, x, y, eps)`` for each ``eps`` in ``epsilons``.

    attack: a function returning adversarial images with the shape of ``x``,
        e.g. FGSM. It is called batch by batch (``batch_size`` images at a time)
        so memory stays small; ``eps = 0`` gives the clean accuracy for any
        attack that respects its budget.
    Returns an array ``(len(epsilons),)`` of accuracies in [0, 1].
    """
    images = np.asarray(images, dtype=np.float32)
    labels = np.asarray(labels).reshape(-1)
    results = []
    for eps in epsilons:
        correct = 0
        for start in range(0, len(images), batch_size):
            x, y = images[start:start + batch_size], labels[start:start + batch_size]
            adversarial = np.asarray(attack(model, x, y, float(eps)), dtype=np.float32)
            correct += int(np.sum(predict_classes(model, adversarial, batch_size=batch_size) == y))
        results.append(correct / max(len(images), 1))
    return np.asarray(results)


def fooling_rate(model: Any, images: Any, perturbation: Any, *, batch_size: int = 500) -> float:
    """Share of ``images`` whose predicted class changes when ``perturbation`` is added.

    The definition of Moosavi-Dezfooli et al. (2017) for universal
    perturbations: it counts changed predictions, right or wrong before.
    perturbation: one ``delta`` broadcast over the batch, e.g. ``(28, 28, 1)``;
    the perturbed images are clipped to [0, 1].
    """
    images = np.asarray(images, dtype=np.float32)
    perturbed = np.clip(images + np.asarray(perturbation, dtype=np.float32), 0.0, 1.0)
    before = predict_classes(model, images, batch_size=batch_size)
    after = predict_classes(model, perturbed, batch_size=batch_size)
    return float(np.mean(before != after))
