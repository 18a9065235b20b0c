# expect: fail synthesise_texture
"""The image returned without its batch axis, (H, W, 3), as one would to plot it."""


def synthesise_texture(extractor, style_image, layer_weights, steps, start, learning_rate=0.05, callback=None):
    style_found = extractor(tf.convert_to_tensor(style_image, dtype=tf.float32))
    grams = {layer: gram_matrix(style_found[layer]) for layer in layer_weights}
    image = tf.Variable(tf.convert_to_tensor(start, dtype=tf.float32))
    optimizer = keras.optimizers.Adam(learning_rate)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(style_loss(extractor(image), grams, layer_weights))
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return loss

    for index in range(int(steps)):
        loss = step()
        if callback is not None:
            callback(index + 1, float(loss), image)
    return image.numpy()[0]
