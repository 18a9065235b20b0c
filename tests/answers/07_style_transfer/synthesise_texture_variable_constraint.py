# expect: pass
"""Clipping by the tf.Variable's constraint (Keras' Adam applies it after each update); targets on every extracted layer."""


def synthesise_texture(extractor, style_image, layer_weights, steps, start, learning_rate=0.05, callback=None):
    style_grams = {name: gram_matrix(maps) for name, maps in extractor(style_image).items()}
    pixels = tf.Variable(start, dtype=tf.float32, constraint=lambda t: tf.clip_by_value(t, 0.0, 1.0))
    adam = keras.optimizers.Adam(learning_rate)
    for step in range(1, steps + 1):
        with tf.GradientTape() as tape:
            loss = style_loss(extractor(pixels), style_grams, layer_weights)[0]
        adam.apply_gradients([(tape.gradient(loss, pixels), pixels)])
        if callback is not None:
            callback(step, float(loss), pixels)
    return tf.convert_to_tensor(pixels)
