# expect: fail synthesise_texture
"""A default learning rate of its own (0.5, ten times the signature's 0.05): right whenever a rate is
given, wrong when the notebook leaves it out."""


def synthesise_texture(extractor, style_image, layer_weights, steps, start, learning_rate=0.5, callback=None):
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
    return image.numpy()
