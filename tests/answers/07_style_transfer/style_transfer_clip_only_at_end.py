# expect: fail style_transfer
"""Clips once, after the last step, instead of after every step."""


def style_transfer(extractor, content_image, style_image, content_layer, layer_weights, content_weight,
                   style_weight, tv_weight, steps, start=None, learning_rate=0.02, callback=None):
    content_targets = extractor(content_image)
    style_targets = {layer: gram_matrix(maps) for layer, maps in extractor(style_image).items() if layer in layer_weights}
    image = tf.Variable(tf.convert_to_tensor(content_image if start is None else start, dtype=tf.float32))
    optimizer = keras.optimizers.Adam(learning_rate)
    for number in range(1, steps + 1):
        with tf.GradientTape() as tape:
            found = extractor(image)
            loss = tf.reduce_sum(content_weight * content_loss(found, content_targets, content_layer)
                                 + style_weight * style_loss(found, style_targets, layer_weights)
                                 + tv_weight * total_variation_loss(image))
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        if callback is not None:
            callback(number, loss, image)
    return tf.clip_by_value(image, 0.0, 1.0).numpy()
