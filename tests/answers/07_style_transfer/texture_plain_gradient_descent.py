# expect: fail synthesise_texture
"""The lecture's plain gradient step x <- x - eps * grad with eps = the learning rate: far too small a step
for these losses (their gradients are tiny), so the style loss hardly moves."""


def synthesise_texture(extractor, style_image, layer_weights, steps, start, learning_rate=0.05, callback=None):
    style_found = extractor(tf.convert_to_tensor(style_image, dtype=tf.float32))
    grams = {layer: gram_matrix(style_found[layer]) for layer in layer_weights}
    image = tf.convert_to_tensor(start, dtype=tf.float32)
    for _ in range(int(steps)):
        with tf.GradientTape() as tape:
            tape.watch(image)
            loss = tf.reduce_sum(style_loss(extractor(image), grams, layer_weights))
        image = tf.clip_by_value(image - learning_rate * tape.gradient(loss, image), 0.0, 1.0)
    return image.numpy()
