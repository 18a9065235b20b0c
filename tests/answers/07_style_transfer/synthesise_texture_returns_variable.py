# expect: pass
"""Eager loop; the loss is a batch mean; returns the tf.Variable itself."""


def synthesise_texture(extractor, style_image, layer_weights, steps, start, learning_rate=0.05, callback=None):
    style_maps = extractor(style_image)
    targets = {layer: gram_matrix(style_maps[layer]) for layer in layer_weights}
    image = tf.Variable(start, dtype=tf.float32)
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
    for number in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(image)
            loss = tf.reduce_mean(style_loss(extractor(image), targets, layer_weights))
        gradient = tape.gradient(loss, image)
        optimizer.apply_gradients(zip([gradient], [image]))
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        if callback:
            callback(number + 1, loss, image)
    return image
