# expect: fail synthesise_texture
# says: clip to [0, 1]
"""Adam on the pixels, never clipped: they leave [0, 1]."""


def synthesise_texture(extractor, style_image, layer_weights, steps, start, learning_rate=0.05, callback=None):
    style_found = extractor(tf.convert_to_tensor(style_image, dtype=tf.float32))
    grams = {layer: gram_matrix(style_found[layer]) for layer in layer_weights}
    image = tf.Variable(tf.convert_to_tensor(start, dtype=tf.float32))
    optimizer = keras.optimizers.Adam(learning_rate)
    for _ in range(int(steps)):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(style_loss(extractor(image), grams, layer_weights))
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
    return image.numpy()
