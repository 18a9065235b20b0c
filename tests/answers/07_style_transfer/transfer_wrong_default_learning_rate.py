# expect: fail style_transfer
"""A default learning rate of its own (0.2, ten times the signature's 0.02): right whenever a rate is
given, wrong when the notebook leaves it out."""


def style_transfer(extractor, content_image, style_image, content_layer, layer_weights, content_weight,
                   style_weight, tv_weight, steps, start=None, learning_rate=0.2, callback=None):
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
                                 + style_weight * style_loss(found, style_grams, layer_weights)
                                 + tv_weight * total_variation_loss(image))
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return loss

    for index in range(int(steps)):
        loss = step()
        if callback is not None:
            callback(index + 1, float(loss), image)
    return image.numpy()
