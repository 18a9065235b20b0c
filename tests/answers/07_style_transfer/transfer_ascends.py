# expect: fail style_transfer
"""The gradient added to the pixels (x <- x + step) instead of subtracted."""


def style_transfer(extractor, content_image, style_image, content_layer, layer_weights, content_weight,
                   style_weight, tv_weight, steps, start=None, learning_rate=0.02, callback=None):
    content_found = extractor(tf.convert_to_tensor(content_image, dtype=tf.float32))
    style_found = extractor(tf.convert_to_tensor(style_image, dtype=tf.float32))
    grams = {layer: gram_matrix(style_found[layer]) for layer in layer_weights}
    image = tf.Variable(tf.convert_to_tensor(content_image if start is None else start, dtype=tf.float32))
    optimizer = keras.optimizers.Adam(learning_rate)
    for _ in range(int(steps)):
        with tf.GradientTape() as tape:
            found = extractor(image)
            loss = tf.reduce_sum(content_weight * content_loss(found, content_found, content_layer)
                                 + style_weight * style_loss(found, grams, layer_weights)
                                 + tv_weight * total_variation_loss(image))
        optimizer.apply_gradients([(-tape.gradient(loss, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
    return image.numpy()
