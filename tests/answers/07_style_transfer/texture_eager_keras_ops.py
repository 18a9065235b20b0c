# expect: pass
"""No tf.function: an eager loop, the loss summed with keras.ops, the clip with keras.ops.clip."""


def synthesise_texture(extractor, style_image, layer_weights, steps, start, learning_rate=0.05, callback=None):
    targets = extractor(keras.ops.convert_to_tensor(style_image, dtype="float32"))
    grams = {layer: gram_matrix(targets[layer]) for layer in layer_weights}
    image = tf.Variable(np.asarray(start, dtype="float32"))
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
    for step in range(1, steps + 1):
        with tf.GradientTape() as tape:
            loss = keras.ops.sum(style_loss(extractor(image), grams, layer_weights))
        gradient = tape.gradient(loss, image)
        optimizer.apply_gradients([(gradient, image)])
        image.assign(keras.ops.clip(image, 0.0, 1.0))
        if callback:
            callback(step, float(loss), image)
    return np.asarray(image)
