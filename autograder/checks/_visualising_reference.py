"""Reference implementations for 04_visualising: what the hidden checks compare with.

The same maths as the solution notebook, written once more here so that the grader
never runs notebook code. Models map images ``x: (N, H, W, C)`` float32 (channels
last; MNIST: ``(N, 28, 28, 1)`` in [0, 1]) to ``(N, K)`` logits; intermediate
layers are reached by name through ``course_utils.models.feature_extractor``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

IMAGE_SHAPE = (28, 28, 1)


def _tensor(x: Any) -> Any:
    import tensorflow as tf

    return tf.convert_to_tensor(np.asarray(x, dtype=np.float32))


def saliency_reference(model: Any, x: Any, classes: Any) -> np.ndarray:
    """Simonyan et al.'s saliency: max over channels of |d logit_c / dx|; x (N, H, W, C) -> (N, H, W)."""
    import tensorflow as tf

    x = _tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = model(x, training=False)
        chosen = tf.gather(logits, np.asarray(classes, dtype=np.int64), axis=1, batch_dims=1)
    return np.max(np.abs(tape.gradient(chosen, x).numpy()), axis=-1)


def linear_saliency(kernel: np.ndarray, classes: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Exact saliency of a linear model ``logits = flatten(x) @ kernel + b``: |kernel[:, c]| as images."""
    return np.abs(np.asarray(kernel, dtype=np.float64)[:, classes].T).reshape(shape)[..., 0]


def project_reference(x: Any, rho: float) -> np.ndarray:
    """Each image of ``x`` (N, ...) rescaled to L2 norm ``rho`` (float64)."""
    x = np.asarray(x, dtype=np.float64)
    norms = np.sqrt(np.sum(x ** 2, axis=tuple(range(1, x.ndim)), keepdims=True))
    return rho * x / norms


def _project_tf(x: Any, rho: float) -> Any:
    import tensorflow as tf

    return rho * x / tf.sqrt(tf.reduce_sum(tf.square(x), axis=[1, 2, 3], keepdims=True))


def unit_activations(model: Any, layer: str, x: Any, units: Any) -> np.ndarray:
    """a_u(x_u): the activation of unit ``units[u] = (i, j, k)`` of ``layer`` on image ``x[u]``; (U,)."""
    from course_utils import models

    features = np.asarray(models.feature_extractor(model, layer)(_tensor(x), training=False))
    units = np.asarray(units, dtype=np.int64)
    return features[np.arange(len(units)), units[:, 0], units[:, 1], units[:, 2]].astype(np.float64)


def activation_maximisation_reference(model: Any, layer: str, units: Any, rho: float, steps: int = 100,
                                      step_size: float = 0.1, starts: int = 16, seed: int = 0) -> np.ndarray:
    """Projected gradient ascent on a_u(x) under ||x|| = rho, a normalised step of step_size * rho.

    Each unit starts from the best of ``starts`` uniform [-1, 1] noise images on the sphere (a
    ReLU unit that is 0 at its start has no gradient). units: (U, 3) int (i, j, k).
    Returns (U, 28, 28, 1) float32, each of norm rho.
    """
    import tensorflow as tf

    from course_utils import models

    extractor = models.feature_extractor(model, layer)
    units = np.asarray(units, dtype=np.int64)
    count = len(units)
    index = tf.constant(np.stack([np.arange(count), *units.T], axis=1))
    noise = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(starts, count, *IMAGE_SHAPE))
    candidates = project_reference(noise.reshape(starts * count, *IMAGE_SHAPE), rho).astype(np.float32)
    candidates = candidates.reshape(noise.shape)
    responses = np.stack([tf.gather_nd(extractor(candidates[s], training=False), index) for s in range(starts)])
    x = _tensor(candidates[np.argmax(responses, axis=0), np.arange(count)])
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(tf.gather_nd(extractor(x, training=False), index))
        gradient = tape.gradient(total, x)
        norm = tf.sqrt(tf.reduce_sum(tf.square(gradient), axis=[1, 2, 3], keepdims=True)) + 1e-12
        x = _project_tf(x + step_size * rho * gradient / norm, rho)
    return x.numpy()


def class_objective_reference(model: Any, x: Any, classes: Any, lam: float) -> np.ndarray:
    """f(x)_c - lam * ||x||^2 per image; x (N, H, W, C), classes (N,) -> (N,) float64."""
    x64 = np.asarray(x, dtype=np.float64)
    logits = np.asarray(model(_tensor(x), training=False), dtype=np.float64)
    chosen = logits[np.arange(len(x64)), np.asarray(classes, dtype=np.int64)]
    return chosen - lam * np.sum(x64 ** 2, axis=tuple(range(1, x64.ndim)))


def class_model_reference(model: Any, classes: Any, lam: float, steps: int = 100, step_size: float = 0.5,
                          seed: int = 0, start: Any = None) -> np.ndarray:
    """Gradient ascent on f(x)_c - lam ||x||^2 from ``start`` or, when None, a small random start drawn
    with ``seed``; (C, 28, 28, 1) float32."""
    import tensorflow as tf

    classes = np.asarray(classes, dtype=np.int64)
    if start is None:
        start = 0.01 * np.random.default_rng(seed).normal(size=(len(classes), 28, 28, 1))
    x = _tensor(start)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            chosen = tf.gather(model(x, training=False), classes, axis=1, batch_dims=1)
            objective = tf.reduce_sum(chosen) - lam * tf.reduce_sum(tf.square(x))
        x = x + step_size * tape.gradient(objective, x)
    return x.numpy()


def total_variation_reference(x: Any, beta: float = 2.0) -> np.ndarray:
    """sum over i < H-1, j < W-1 and channels of ((x[i, j+1] - x[i, j])^2 + (x[i+1, j] - x[i, j])^2)^(beta/2).

    x: (N, H, W, C) -> (N,) float64 (Mahendran and Vedaldi's TV^beta; beta = 2 is ||grad x||^2).
    """
    x = np.asarray(x, dtype=np.float64)
    right = x[:, :-1, 1:, :] - x[:, :-1, :-1, :]
    down = x[:, 1:, :-1, :] - x[:, :-1, :-1, :]
    return np.sum((right ** 2 + down ** 2) ** (beta / 2.0), axis=(1, 2, 3))


def _total_variation_tf(x: Any, beta: float) -> Any:
    import tensorflow as tf

    right = x[:, :-1, 1:, :] - x[:, :-1, :-1, :]
    down = x[:, 1:, :-1, :] - x[:, :-1, :-1, :]
    return tf.reduce_sum(tf.pow(tf.square(right) + tf.square(down), beta / 2.0), axis=[1, 2, 3])


def inversion_loss_tf(extractor: Any, x: Any, target_features: Any, lam: float, mu: float,
                      beta: float = 2.0) -> Any:
    """||phi(x) - phi_0||^2 + lam ||x||^2 + mu TV^beta(x) per image, as a differentiable (N,) tensor.

    extractor: phi, a model from the image to one layer's output (``models.feature_extractor``).
    """
    import tensorflow as tf

    features = extractor(x, training=False)
    axes = list(range(1, len(features.shape)))
    mismatch = tf.reduce_sum(tf.square(features - _tensor(target_features)), axis=axes)
    return (mismatch + lam * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])
            + mu * _total_variation_tf(x, beta))


def inversion_loss_reference(model: Any, layer: str, x: Any, target_features: Any, lam: float, mu: float,
                             beta: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """The objective's values (N,) and its gradient with respect to x (N, H, W, C)."""
    from course_utils import models

    extractor = models.feature_extractor(model, layer)
    return models.value_and_input_gradient(
        lambda images: inversion_loss_tf(extractor, images, target_features, lam, mu, beta), x)


def feature_mismatch(model: Any, layer: str, x: Any, target_features: Any) -> np.ndarray:
    """||phi_layer(x_n) - phi_0,n||^2 per image, (N,) float64: what an inversion must make small."""
    from course_utils import models

    features = np.asarray(models.feature_extractor(model, layer)(_tensor(x), training=False), dtype=np.float64)
    difference = features - np.asarray(target_features, dtype=np.float64)
    return np.sum(difference.reshape(len(difference), -1) ** 2, axis=1)


def invert_reference(model: Any, layer: str, target_features: Any, lam: float, mu: float, steps: int = 200,
                     step_size: float = 0.05, beta: float = 2.0, seed: int = 0) -> np.ndarray:
    """Adam descent on the inversion objective from a small random start; (N, 28, 28, 1) float32."""
    import keras
    import tensorflow as tf

    from course_utils import models

    extractor = models.feature_extractor(model, layer)
    count = len(np.asarray(target_features))
    x = tf.Variable(0.01 * np.random.default_rng(seed).normal(size=(count, 28, 28, 1)).astype(np.float32))
    optimizer = keras.optimizers.Adam(step_size)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(inversion_loss_tf(extractor, x, target_features, lam, mu, beta))
        optimizer.apply_gradients([(tape.gradient(loss, x), x)])
    return x.numpy()
