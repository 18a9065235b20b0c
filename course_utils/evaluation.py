"""The course's MNIST evaluation classifier, and the sample-quality measures built on it.

Why: judging generated digits (autoencoder and VAE samples, GANs) needs a fixed
judge that students and the grader share. FID and the Inception score use an
ImageNet network, which knows little of handwritten digits and is a download;
the course uses its own small MNIST CNN instead (the "classifier-based" FID and
score of many GAN papers on MNIST), trained once by a script in the repository
(``course models build``, see ``autograder/authoring/course_models.py``) with its recipe,
seed and test accuracy in ``weights/mnist_classifier.json`` beside the weights.
Students may use it; grading uses the same weights.

Images are ``x: (N, 28, 28, 1)`` float in ``[0, 1]`` (a sample in ``[-1, 1]`` is
rescaled by the caller); the classifier returns ``(N, 10)`` logits and its
penultimate layer ``features`` gives ``(N, 128)`` ReLU features.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CLASSIFIER_PATH", "FEATURES_LAYER", "classifier_info", "course_classifier", "classifier_features",
           "class_probabilities", "frechet_distance", "classifier_fid", "classifier_score", "nearest_distances"]

CLASSIFIER_PATH = Path(__file__).resolve().parent / "weights" / "mnist_classifier.keras"
FEATURES_LAYER = "features"
_BATCH = 500


class ClassifierMissing(FileNotFoundError):
    """The weights file is absent (a checkout without it, or a deleted file)."""


def classifier_info() -> dict[str, Any]:
    """The recipe, seed, test accuracy and checksum recorded when the classifier was built."""
    return json.loads(CLASSIFIER_PATH.with_suffix(".json").read_text())


@functools.lru_cache(maxsize=1)
def course_classifier() -> Any:
    """The course's MNIST classifier as a ``keras.Model`` (loaded once per process, safe mode)."""
    import keras

    if not CLASSIFIER_PATH.exists():
        raise ClassifierMissing(f"the course's MNIST classifier is missing ({CLASSIFIER_PATH}): rebuild it "
                                "with `course models build` (about 3 minutes on a CPU).")
    return keras.saving.load_model(CLASSIFIER_PATH, compile=False, safe_mode=True)


@functools.lru_cache(maxsize=1)
def _features_model() -> Any:
    import keras

    model = course_classifier()
    return keras.Model(model.input, model.get_layer(FEATURES_LAYER).output, name="course_classifier_features")


def _checked_images(images: Any) -> np.ndarray:
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(f"expected MNIST-shaped images (N, 28, 28, 1) in [0, 1], got shape {images.shape}.")
    if images.size and (images.min() < -1e-3 or images.max() > 1 + 1e-3):
        raise ValueError(f"pixel values range from {images.min():.3g} to {images.max():.3g}: the classifier takes "
                         "[0, 1] (rescale a tanh output with (x + 1) / 2).")
    return images


def _batched(model: Any, images: np.ndarray) -> np.ndarray:
    outputs = [np.asarray(model(images[start:start + _BATCH], training=False), dtype=np.float64)
               for start in range(0, len(images), _BATCH)]
    return np.concatenate(outputs) if outputs else np.zeros((0,) + tuple(model.output_shape[1:]))


def classifier_features(images: Any) -> np.ndarray:
    """Penultimate-layer features ``(N, 128)`` of ``images`` ``(N, 28, 28, 1)`` in [0, 1]."""
    return _batched(_features_model(), _checked_images(images))


def class_probabilities(images: Any) -> np.ndarray:
    """The classifier's softmax ``p(y | x)``: ``(N, 10)``, rows summing to 1."""
    logits = _batched(course_classifier(), _checked_images(images))
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets ``(N, D)`` and ``(M, D)``:

    ``||mu_a - mu_b||^2 + tr(S_a + S_b - 2 (S_a^1/2 S_b S_a^1/2)^1/2)`` (Heusel et al. 2017).
    The matrix square roots are taken by symmetric eigendecomposition, which stays real
    where ``scipy.linalg.sqrtm`` of the non-symmetric product can return complex noise.
    """
    features_a, features_b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    if features_a.ndim != 2 or features_b.ndim != 2 or features_a.shape[1] != features_b.shape[1]:
        raise ValueError(f"expected two (N, D) feature arrays, got {features_a.shape} and {features_b.shape}.")
    if min(len(features_a), len(features_b)) < 2:
        raise ValueError("a covariance needs at least 2 samples in each set.")
    mean_a, mean_b = features_a.mean(axis=0), features_b.mean(axis=0)
    cov_a, cov_b = np.cov(features_a, rowvar=False), np.cov(features_b, rowvar=False)

    def sqrt_psd(matrix: np.ndarray) -> np.ndarray:
        values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
        return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T

    root_a = sqrt_psd(cov_a)
    cross = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ cov_b @ root_a), 0.0, None)))
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2.0 * cross)


def classifier_fid(images: Any, reference_images: Any) -> float:
    """Fréchet distance between the classifier features of ``images`` and ``reference_images``.

    Lower is better; 0 for identical sets. It needs a few thousand images per set to be
    stable (its small-sample bias is positive), so compare numbers computed on sets of
    the same size.
    """
    return frechet_distance(classifier_features(images), classifier_features(reference_images))


def classifier_score(images: Any) -> float:
    """The Inception-score analogue ``exp(E_x KL(p(y|x) || p(y)))`` under the course classifier
    (Salimans et al. 2016): between 1 (every image the same class, or every prediction
    uniform) and 10 (confident predictions spread evenly over the ten digits)."""
    probabilities = class_probabilities(images)
    marginal = probabilities.mean(axis=0, keepdims=True)
    kl = np.sum(probabilities * (np.log(probabilities + 1e-12) - np.log(marginal + 1e-12)), axis=1)
    return float(np.exp(kl.mean()))


def nearest_distances(images: Any, pool: Any, *, chunk: int = 250) -> np.ndarray:
    """L2 pixel distance ``(N,)`` from each of ``images`` ``(N, 28, 28, 1)`` to its nearest image in ``pool``
    ``(M, 28, 28, 1)`` (both in [0, 1]).

    Why: FID and the score only see feature statistics, so a generator that replays its
    training images scores like real data. Its samples sit at distance 0 from the training
    set, where new digits (held-out test images, a good generator's samples) do not.
    """
    images, pool = _checked_images(images), _checked_images(pool)
    flat_pool = pool.reshape(len(pool), -1).astype(np.float32)
    pool_norms = np.sum(flat_pool.astype(np.float64) ** 2, axis=1)
    flat = images.reshape(len(images), -1).astype(np.float32)
    best = np.empty(len(flat), dtype=np.float64)
    for start in range(0, len(flat), chunk):
        part = flat[start:start + chunk]
        squared = (np.sum(part.astype(np.float64) ** 2, axis=1, keepdims=True)
                   - 2.0 * (part @ flat_pool.T).astype(np.float64) + pool_norms)
        best[start:start + chunk] = np.min(squared, axis=1)
    return np.sqrt(np.clip(best, 0.0, None))
