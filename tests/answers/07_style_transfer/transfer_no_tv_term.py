# expect: fail style_transfer
"""The total-variation term forgotten: content and style only (tv_weight unused)."""


def style_transfer(extractor, content_image, style_image, content_layer, layer_weights, content_weight,
                   style_weight, tv_weight, steps, start=None, learning_rate=0.02, callback=None):
    content_image = tf.convert_to_tensor(content_image, dtype=tf.float32)
    content_targets = extractor(content_image)
    style_found = extractor(tf.convert_to_tensor(style_image, dtype=tf.float32))
    style_grams = {layer: gram_matrix(style_found[layer]) for layer in layer_weights}
    image = tf.Variable(content_image if start is None else tf.convert_to_tensor(start, dtype=tf.float32))
    optimizer = keras.optimizers.Adam(learning_rate)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            found = extractor(image)
            loss = tf.reduce_sum(content_weight * content_loss(found, content_targets, content_layer)
                                 + style_weight * style_loss(found, style_grams, layer_weights))
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return loss

    for index in range(int(steps)):
        loss = step()
        if callback is not None:
            callback(index + 1, float(loss), image)
    return image.numpy()
