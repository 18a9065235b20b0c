# expect: fail synthesise_texture
"""Clips once, after the last step, instead of after every step: the pixels leave [0, 1] during the descent."""


def synthesise_texture(extractor, style_image, layer_weights, steps, start, learning_rate=0.05, callback=None):
    targets = {layer: gram_matrix(maps) for layer, maps in extractor(style_image).items() if layer in layer_weights}
    image = tf.Variable(tf.convert_to_tensor(start, dtype=tf.float32))
    optimizer = keras.optimizers.Adam(learning_rate)
    for number in range(1, steps + 1):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(style_loss(extractor(image), targets, layer_weights))
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        if callback is not None:
            callback(number, loss, image)
    return tf.clip_by_value(image, 0.0, 1.0).numpy()
