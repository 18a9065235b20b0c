# expect: pass
"""Keras 3's optimizer.apply(grads, variables) and keras.ops.clip; the three terms in one lambda."""
from keras import ops as kops


def style_transfer(extractor, content_image, style_image, content_layer, layer_weights, content_weight,
                   style_weight, tv_weight, steps, start=None, learning_rate=0.02, callback=None):
    content_targets = {content_layer: extractor(content_image)[content_layer]}
    style_maps = extractor(style_image)
    style_targets = {name: gram_matrix(style_maps[name]) for name in layer_weights}
    total = lambda y, maps: (content_weight * content_loss(maps, content_targets, content_layer)  # noqa: E731
                             + style_weight * style_loss(maps, style_targets, layer_weights)
                             + tv_weight * total_variation_loss(y))
    pixels = tf.Variable(kops.convert_to_tensor(start if start is not None else content_image, dtype="float32"))
    adam = keras.optimizers.Adam(learning_rate=learning_rate)
    for i in range(steps):
        with tf.GradientTape() as tape:
            loss = kops.sum(total(pixels, extractor(pixels)))
        adam.apply([tape.gradient(loss, pixels)], [pixels])
        pixels.assign(kops.clip(pixels, 0.0, 1.0))
        if callback:
            callback(i + 1, float(loss), pixels)
    return kops.convert_to_numpy(pixels).astype("float32")
