"""The hidden data and models of 03_adversarial's checks (grader side only, never shipped).

MNIST as float32 images in [0, 1]; random **linear softmax models**, whose input
gradient is known in closed form; and the **hidden small CNN**
(``build_small_cnn((8, 16))``, 5.3 k parameters), trained here with fixed seeds on
the first 6,000 MNIST training images at first use (10-30 s on a shared 2-core CPU)
and cached, in the process and in a file of ``course_utils.data.cache_dir()``, so
that the cases written for the sandbox and the ones the judge regenerates hold the
same weights. Images ``x: (N, 28, 28, 1)``, labels ``(N,)`` int64.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np

NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28, 1)

HIDDEN_CNN_FILTERS = (8, 16)
HIDDEN_CNN_TRAIN_IMAGES = 6_000  # the first images of the MNIST training split
HIDDEN_CNN_EPOCHS = 3
HIDDEN_CNN_SEED = 2015
EFFECT_IMAGES = 500  # random MNIST test images per effect case
UNIVERSAL_IMAGES = 1_000  # the student's function sees these (MNIST train split, after the hidden CNN's)
UNIVERSAL_POOL = slice(50_000, 60_000)
HELD_OUT = slice(9_000, 10_000)  # the fooling rate is measured on these MNIST test images

@functools.lru_cache(maxsize=None)
def mnist(split: str) -> tuple[np.ndarray, np.ndarray]:
    """The whole MNIST ``split`` as float32 images in [0, 1] and int64 labels."""
    from course_utils import data

    images, labels = data.load_numpy("mnist", split, limit="all")
    return images.astype(np.float32) / np.float32(255.0), labels.astype(np.int64)


@functools.lru_cache(maxsize=None)
def mnist_slice(split: str, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """``mnist(split)[start:stop]``, converting only those rows to float (``data.load_numpy`` reads the
    NumPy copy ``course data prepare`` keeps, so no split is decoded through tfds here)."""
    from course_utils import data

    images, labels = data.load_numpy("mnist", split, limit=stop)
    return images[start:stop].astype(np.float32) / np.float32(255.0), labels[start:stop].astype(np.int64)


def _train_hidden_cnn() -> dict[str, np.ndarray]:
    """Train the hidden small CNN with fixed seeds on the first MNIST training images."""
    import keras
    import tensorflow as tf

    from course_utils import models

    images, labels = mnist_slice("train", 0, HIDDEN_CNN_TRAIN_IMAGES)
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


def random_linear(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A random linear softmax model with moderate logits (std ≈ 1-2 on MNIST digits),
    so that float32 softmax never saturates and gradient signs are well defined."""
    pixels = int(np.prod(IMAGE_SHAPE))
    return {"kernel": rng.normal(0.0, 0.1, size=(pixels, NUM_CLASSES)).astype(np.float32),
            "bias": rng.normal(0.0, 0.1, size=NUM_CLASSES).astype(np.float32)}


def test_images(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random MNIST test images (outside the universal held-out set) and labels."""
    images, labels = mnist("test")
    index = rng.choice(HELD_OUT.start, size=count, replace=False)
    return images[index], labels[index]


def held_out_images() -> np.ndarray:
    """The MNIST test images on which a universal perturbation's fooling rate is measured."""
    return mnist("test")[0][HELD_OUT]


def universal_fooling(model: Any, delta: np.ndarray) -> float:
    """What the universal check measures (the benchmark records the same): the share of the
    held-out images whose prediction by ``model`` changes when ``delta`` is added."""
    from course_utils import metrics

    return metrics.fooling_rate(model, held_out_images(), np.asarray(delta, dtype=np.float32).reshape(IMAGE_SHAPE))
