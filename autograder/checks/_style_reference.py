"""Reference implementations for 07_style_transfer: what the hidden checks compare with.

The same maths as the solution notebook, written once more here so that the grader
never runs notebook code. Feature maps are ``(N, H, W, C)`` (channels last); a dict of
them is keyed by layer name (``block1_conv1`` ...), as ``course_utils.features.extractor``
returns them. Images are ``(N, H, W, 3)`` float32 in [0, 1].

- Gram matrix, normalised by the number of positions:
  ``G[n, c, d] = 1 / (H W) * sum_{h, w} F[n, h, w, c] F[n, h, w, d]``.
- Style loss: ``sum_l w_l / C_l^2 * sum_{c, d} (G_l(x)[n, c, d] - S_l[c, d])^2`` per image,
  over the layers of ``layer_weights``.
- Content loss: ``1 / (H W C) * sum (F_l(x) - P_l)^2`` per image on one layer.
- Total variation: ``1 / (H W C) * (sum |x[i+1, j] - x[i, j]| + sum |x[i, j+1] - x[i, j]|)``
  per image (``tf.image.total_variation`` divided by the image's size).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np


def gram_reference(features: Any) -> np.ndarray:
    """(N, H, W, C) -> (N, C, C) float64, normalised by H * W."""
    f = np.asarray(features, dtype=np.float64)
    return np.einsum("nhwc,nhwd->ncd", f, f) / (f.shape[1] * f.shape[2])


def style_loss_reference(features: Mapping[str, Any], style_grams: Mapping[str, Any],
                         layer_weights: Mapping[str, float]) -> np.ndarray:
    """sum over the layers of ``layer_weights`` of w_l * mean_{c, d} (G_l - S_l)^2; (N,) float64."""
    total = 0.0
    for layer, weight in layer_weights.items():
        difference = gram_reference(features[layer]) - np.asarray(style_grams[layer], dtype=np.float64)
        total = total + float(weight) * np.mean(difference ** 2, axis=(1, 2))
    return np.asarray(total, dtype=np.float64)


def content_loss_reference(features: Mapping[str, Any], content_features: Mapping[str, Any],
                           layer: str) -> np.ndarray:
    """mean over (H, W, C) of (F_l - P_l)^2 on ``layer``; (N,) float64."""
    difference = np.asarray(features[layer], dtype=np.float64) - np.asarray(content_features[layer], dtype=np.float64)
    return np.mean(difference ** 2, axis=(1, 2, 3))


def total_variation_reference(x: Any) -> np.ndarray:
    """Anisotropic total variation per image, divided by H * W * C; x (N, H, W, C) -> (N,) float64."""
    x = np.asarray(x, dtype=np.float64)
    down = np.abs(np.diff(x, axis=1)).sum(axis=(1, 2, 3))
    right = np.abs(np.diff(x, axis=2)).sum(axis=(1, 2, 3))
    return (down + right) / np.prod(x.shape[1:])


# --------------------------------------------------------------------------- on a network (grader side)
def network_extractor(weights: Mapping[str, Any], layers: list[str]) -> Any:
    """The network rebuilt from ``weights`` (``features.network_from_weights``), cut at ``layers``.

    Build it once per hidden case and pass it as ``extract`` below: rebuilding the Keras model for
    every measurement cost more than the measurements (four builds per texture case, eight per transfer).
    """
    from course_utils import features

    return features.extractor(features.network_from_weights(weights), layers)


def layer_features(weights: Mapping[str, Any], layers: list[str], images: Any, *,
                   extract: Any = None) -> dict[str, np.ndarray]:
    """The named layers' outputs of the network rebuilt from ``weights`` on ``images``, as float64 arrays.

    extract: an extractor of that network with at least ``layers`` (``network_extractor``), else one is built.
    """
    extract = network_extractor(weights, layers) if extract is None else extract
    out = extract(np.asarray(images, dtype=np.float32), training=False)
    return {name: np.asarray(out[name], dtype=np.float64) for name in layers}


def style_loss_of_images(weights: Mapping[str, Any], layer_weights: Mapping[str, float], images: Any,
                         style_image: Any, *, extract: Any = None) -> np.ndarray:
    """The reference style loss of ``images`` (N, H, W, 3) against one style image; (N,)."""
    layers = list(layer_weights)
    extract = network_extractor(weights, layers) if extract is None else extract
    grams = {name: gram_reference(value)
             for name, value in layer_features(weights, layers, style_image, extract=extract).items()}
    return style_loss_reference(layer_features(weights, layers, images, extract=extract), grams, layer_weights)


def content_loss_of_images(weights: Mapping[str, Any], layer: str, images: Any, content_image: Any, *,
                           extract: Any = None) -> np.ndarray:
    """The reference content loss of ``images`` against ``content_image`` on ``layer``; (N,)."""
    extract = network_extractor(weights, [layer]) if extract is None else extract
    return content_loss_reference(layer_features(weights, [layer], images, extract=extract),
                                  layer_features(weights, [layer], content_image, extract=extract), layer)


def _losses_tf(extract: Any, image: Any, style_grams: Mapping[str, Any], layer_weights: Mapping[str, float],
               content_layer: str | None, content_features: Any, content_weight: float, style_weight: float,
               tv_weight: float) -> Any:
    import tensorflow as tf

    found = extract(image)
    total = 0.0
    for layer, weight in layer_weights.items():
        f = found[layer]
        positions = tf.cast(tf.shape(f)[1] * tf.shape(f)[2], tf.float32)
        gram = tf.einsum("nhwc,nhwd->ncd", f, f) / positions
        total += style_weight * float(weight) * tf.reduce_mean(tf.square(gram - style_grams[layer]))
    if content_layer is not None and content_weight:
        total += content_weight * tf.reduce_mean(tf.square(found[content_layer] - content_features))
    if tv_weight:
        size = tf.cast(tf.reduce_prod(tf.shape(image)[1:]), tf.float32)
        total += tv_weight * tf.reduce_sum(tf.image.total_variation(image)) / size
    return total


def optimise_reference(weights: Mapping[str, Any], layer_weights: Mapping[str, float], style_image: Any,
                       start: Any, steps: int, *, content_image: Any = None, content_layer: str | None = None,
                       content_weight: float = 0.0, style_weight: float = 1.0, tv_weight: float = 0.0,
                       learning_rate: float = 0.02, compiled: bool = True, clip_every_step: bool = True,
                       fresh_optimizer: bool = False) -> np.ndarray:
    """Adam on the pixels from ``start``, clipped to [0, 1] after every step; (1, H, W, 3) float32.

    Texture synthesis with ``content_weight = 0``; style transfer (Gatys et al. 2016) otherwise.
    compiled: the step as a ``tf.function`` (faster over many steps); False runs it eagerly, which
    for the one- or two-step contract cases saves the tracing (about a second at load).
    clip_every_step False (clipped once, after the last step) and fresh_optimizer True (a new Adam at
    every step, its moments lost) are two mistakes, run eagerly: the contract names them when an answer's
    steps match one of them (``_style_contract.trajectory_problem``).
    """
    import keras
    import tensorflow as tf

    from course_utils import features

    layers = list(layer_weights) + ([content_layer] if content_layer else [])
    extract = features.extractor(features.network_from_weights(weights), layers)
    style_found = extract(np.asarray(style_image, dtype=np.float32))
    grams = {name: tf.constant(gram_reference(style_found[name]), tf.float32) for name in layer_weights}
    content_features = (extract(np.asarray(content_image, dtype=np.float32))[content_layer]
                        if content_layer else None)
    image = tf.Variable(np.asarray(start, dtype=np.float32))
    optimizer = keras.optimizers.Adam(learning_rate)

    def step() -> Any:
        with tf.GradientTape() as tape:
            loss = _losses_tf(extract, image, grams, layer_weights, content_layer, content_features,
                              content_weight, style_weight, tv_weight)
        (keras.optimizers.Adam(learning_rate) if fresh_optimizer else optimizer).apply_gradients(
            [(tape.gradient(loss, image), image)])
        if clip_every_step:
            image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return loss

    run = tf.function(step) if compiled and clip_every_step and not fresh_optimizer else step
    for _ in range(int(steps)):
        run()
    return np.clip(image.numpy(), 0.0, 1.0)
