# expect: pass
"""Pixels and losses in float64 (cast to float32 at the end); Adam built with every argument spelled out,
once before the loop; the image clipped before each step and once more after the last one (the same
trajectory as clipping after every step); the callback sees the unclipped image."""


def synthesise_texture(extractor, style_image, layer_weights, steps, start, learning_rate=0.05, callback=None):
    found = extractor(tf.convert_to_tensor(style_image, dtype=tf.float32))
    targets = {layer: tf.cast(gram_matrix(found[layer]), tf.float64) for layer in layer_weights}
    image = tf.Variable(tf.cast(start, tf.float64))
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                                      amsgrad=False)
    for step in range(1, int(steps) + 1):
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        with tf.GradientTape() as tape:
            maps = extractor(tf.cast(image, tf.float32))
            loss = tf.constant(0.0, tf.float64)
            for layer, weight in layer_weights.items():
                gram = tf.cast(gram_matrix(maps[layer]), tf.float64)
                loss += float(weight) * tf.reduce_mean(tf.square(gram - targets[layer]))
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        if callback is not None:
            callback(step, float(loss), image)
    return tf.cast(tf.clip_by_value(image, 0.0, 1.0), tf.float32).numpy()
