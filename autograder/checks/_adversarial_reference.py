"""Reference attacks of 03_adversarial and the measurement of a model's robustness
(grader side only, never shipped).

The attacks are the notebook's, written once here: the function checks compare a
student's attack with them (exactly, on linear models whose input gradient is known in
closed form, :func:`linear_input_gradient`), the artifact check attacks the submitted
``robust_cnn.keras`` with them (:func:`robustness`), and the benchmarks calibrate the
bars with them (``benchmarks/adversarial_reference.py``, ``benchmarks/adversarial_bars.py``),
so a bar and its recorded distribution measure the same thing. Images are
``x: (N, 28, 28, 1)`` float32 in ``[0, 1]``; models return ``(N, 10)`` logits (or
probabilities, with ``from_logits=False``); TensorFlow is imported lazily.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _loss(model: Any, x: Any, labels: Any, from_logits: bool = True) -> Any:
    """Per-example cross-entropy of ``model`` on ``x`` for integer ``labels`` (a TF vector)."""
    import keras

    return keras.losses.sparse_categorical_crossentropy(labels, model(x, training=False),
                                                        from_logits=from_logits)


def _input_gradient(model: Any, x: Any, labels: Any, from_logits: bool = True) -> Any:
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = _loss(model, x, labels, from_logits)
    return tape.gradient(loss, x)


def fgsm_reference(model: Any, x: Any, y: Any, eps: float, *, from_logits: bool = True) -> np.ndarray:
    """``clip(x + eps * sign(grad_x CE(model(x), y)), 0, 1)``; x: (N, 28, 28, 1) in [0, 1]."""
    import tensorflow as tf

    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
    gradient = _input_gradient(model, x, tf.convert_to_tensor(np.asarray(y)), from_logits)
    return np.asarray(tf.clip_by_value(x + eps * tf.sign(gradient), 0.0, 1.0))


def iterative_reference(model: Any, x: Any, labels: Any, eps: float, alpha: float, steps: int, *,
                        targeted: bool = False, from_logits: bool = True) -> np.ndarray:
    """Iterative FGSM (Kurakin et al. 2017): ``steps`` sign steps of size ``alpha``,
    each projected onto the eps-ball around ``x`` and onto [0, 1]. ``targeted``: descend
    the loss of the target ``labels`` instead of ascending the loss of the true ones."""
    import tensorflow as tf

    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
    labels = tf.convert_to_tensor(np.asarray(labels))
    direction = -1.0 if targeted else 1.0
    adversarial = x
    for _ in range(int(steps)):
        gradient = _input_gradient(model, adversarial, labels, from_logits)
        adversarial = adversarial + direction * alpha * tf.sign(gradient)
        adversarial = tf.clip_by_value(tf.clip_by_value(adversarial, x - eps, x + eps), 0.0, 1.0)
    return np.asarray(adversarial)


def universal_reference(model: Any, x: Any, y: Any, eps: float, *, step_size: float = 0.01,
                        epochs: int = 10, batch_size: int = 100) -> np.ndarray:
    """One ``delta (28, 28, 1)`` with ``|delta|_inf <= eps``: sign-gradient ascent on the
    mean loss of ``clip(x + delta)`` over batches of ``x``, projected after each step."""
    import tensorflow as tf

    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y)
    delta = tf.zeros(x.shape[1:], dtype=tf.float32)
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            batch = tf.convert_to_tensor(x[start:start + batch_size])
            with tf.GradientTape() as tape:
                tape.watch(delta)
                perturbed = tf.clip_by_value(batch + delta, 0.0, 1.0)
                loss = tf.reduce_mean(_loss(model, perturbed, y[start:start + batch_size]))
            delta = tf.clip_by_value(delta + step_size * tf.sign(tape.gradient(loss, delta)), -eps, eps)
    return np.asarray(delta)


def universal_first_gradient(model: Any, x: Any, y: Any) -> np.ndarray:
    """The gradient of the mean loss of ``clip(x + delta, 0, 1)`` with respect to ``delta`` at
    ``delta = 0``, (28, 28, 1) float64: one universal step on one batch is its sign."""
    import tensorflow as tf

    delta = tf.zeros(np.shape(x)[1:], dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(delta)
        perturbed = tf.clip_by_value(tf.convert_to_tensor(np.asarray(x, dtype=np.float32)) + delta, 0.0, 1.0)
        loss = tf.reduce_mean(_loss(model, perturbed, np.asarray(y)))
    return np.asarray(tape.gradient(loss, delta), dtype=np.float64)


def linear_input_gradient(kernel: np.ndarray, bias: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """d CE(softmax(flatten(x) @ kernel + bias), y) / dx per example, in float64; x: (N, 28, 28, 1)."""
    flat = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    logits = flat @ np.asarray(kernel, dtype=np.float64) + np.asarray(bias, dtype=np.float64)
    logits -= logits.max(axis=1, keepdims=True)
    residual = np.exp(logits)
    residual /= residual.sum(axis=1, keepdims=True)
    residual[np.arange(len(x)), np.asarray(y, dtype=np.int64)] -= 1.0
    return (residual @ np.asarray(kernel, dtype=np.float64).T).reshape(np.shape(x))


def linear_iterative_reference(kernel: np.ndarray, bias: np.ndarray, x: np.ndarray, labels: np.ndarray,
                               eps: float, alpha: float, steps: int, *, targeted: bool = False) -> np.ndarray:
    """:func:`iterative_reference` on a linear softmax model, in float64 NumPy."""
    x = np.asarray(x, dtype=np.float64)
    direction = -1.0 if targeted else 1.0
    adversarial = x.copy()
    for _ in range(int(steps)):
        gradient = linear_input_gradient(kernel, bias, adversarial, labels)
        adversarial = np.clip(np.clip(adversarial + direction * alpha * np.sign(gradient), x - eps, x + eps),
                              0.0, 1.0)
    return adversarial


def are_probabilities(scores: np.ndarray) -> bool:
    """True when every row of ``scores`` ``(N, K)`` looks like a probability vector (a softmax output)."""
    scores = np.asarray(scores)
    return bool(np.all(scores >= 0) and np.all(scores <= 1) and np.allclose(scores.sum(axis=1), 1, atol=1e-3))


def outputs_probabilities(model: Any, images: np.ndarray) -> bool:
    """True when every row of ``model(images)`` looks like a probability vector (a softmax output)."""
    return are_probabilities(model(np.asarray(images, dtype=np.float32), training=False))


def robustness(model: Any, images: np.ndarray, labels: np.ndarray, *, fgsm_eps: tuple[float, ...] = (),
               iterative: tuple[tuple[float, float, int], ...] = (), batch_size: int = 500) -> dict[str, float]:
    """Accuracy of ``model`` on clean ``images`` and under the reference attacks.

    fgsm_eps: budgets of :func:`fgsm_reference` -> keys ``"fgsm_<eps>"``;
    iterative: ``(eps, alpha, steps)`` of :func:`iterative_reference` -> keys
    ``"iterative_<eps>"``. Deterministic: the attacks have no random start, the
    images are the caller's. Logits or probabilities are told apart from the scores.
    Returns ``{"clean": ..., "fgsm_0.1": ..., ...}``, accuracies in [0, 1].
    """
    from course_utils import metrics

    images = np.asarray(images, dtype=np.float32)
    labels = np.asarray(labels)
    from_logits = not outputs_probabilities(model, images[:64])
    result = {"clean": metrics.accuracy(model, images, labels, batch_size=batch_size)}
    attacks = [(f"fgsm_{eps:g}", lambda x, y, eps=eps: fgsm_reference(model, x, y, eps, from_logits=from_logits))
               for eps in fgsm_eps]
    attacks += [(f"iterative_{eps:g}", lambda x, y, eps=eps, alpha=alpha, steps=steps: iterative_reference(
                    model, x, y, eps, alpha, steps, from_logits=from_logits))
                for eps, alpha, steps in iterative]
    for name, attack in attacks:
        attacked = np.concatenate([attack(images[s:s + batch_size], labels[s:s + batch_size])
                                   for s in range(0, len(images), batch_size)])
        result[name] = metrics.accuracy(model, attacked, labels, batch_size=batch_size)
    return result
