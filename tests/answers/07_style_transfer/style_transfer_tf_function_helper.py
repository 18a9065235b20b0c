# expect: pass
"""The total loss in a helper, a tf.function step; start from a copy of the content picture when start is None."""


def _total_loss(extractor, image, content_targets, style_targets, content_layer, layer_weights,
                content_weight, style_weight, tv_weight):
    found = extractor(image)
    return tf.reduce_sum(content_weight * content_loss(found, content_targets, content_layer)
                         + style_weight * style_loss(found, style_targets, layer_weights)
                         + tv_weight * total_variation_loss(image))


def style_transfer(extractor, content_image, style_image, content_layer, layer_weights, content_weight,
                   style_weight, tv_weight, steps, start=None, learning_rate=0.02, callback=None):
    content_targets = extractor(content_image)
    style_maps = extractor(style_image)
    style_targets = {layer: gram_matrix(style_maps[layer]) for layer in layer_weights}
    initial = content_image if start is None else start
    image = tf.Variable(np.array(initial, dtype="float32"))
    optimizer = keras.optimizers.Adam(learning_rate)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = _total_loss(extractor, image, content_targets, style_targets, content_layer, layer_weights,
                               content_weight, style_weight, tv_weight)
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return loss

    for number in range(1, steps + 1):
        loss = step()
        if callback is not None:
            callback(number, float(loss), image)
    return np.asarray(image.numpy(), dtype="float32")
