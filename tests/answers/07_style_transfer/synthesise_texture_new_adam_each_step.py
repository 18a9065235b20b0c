# expect: fail synthesise_texture
"""A new keras.optimizers.Adam made inside the loop: every step is Adam's first step (no moments kept)."""


def synthesise_texture(extractor, style_image, layer_weights, steps, start, learning_rate=0.05, callback=None):
    targets = {layer: gram_matrix(maps) for layer, maps in extractor(style_image).items() if layer in layer_weights}
    image = tf.Variable(tf.convert_to_tensor(start, dtype=tf.float32))
    for number in range(1, steps + 1):
        optimizer = keras.optimizers.Adam(learning_rate)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(style_loss(extractor(image), targets, layer_weights))
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        if callback is not None:
            callback(number, loss, image)
    return image.numpy()
