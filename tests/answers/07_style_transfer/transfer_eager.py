# expect: pass
"""An eager loop without tf.function, the total loss built term by term."""


def style_transfer(extractor, content_image, style_image, content_layer, layer_weights, content_weight,
                   style_weight, tv_weight, steps, start=None, learning_rate=0.02, callback=None):
    content_found = extractor(np.asarray(content_image, dtype="float32"))
    style_found = extractor(np.asarray(style_image, dtype="float32"))
    grams = {layer: gram_matrix(style_found[layer]) for layer in layer_weights}
    image = tf.Variable(np.asarray(content_image if start is None else start, dtype="float32"))
    optimizer = keras.optimizers.Adam(learning_rate)
    for step in range(steps):
        with tf.GradientTape() as tape:
            found = extractor(image)
            loss = content_weight * content_loss(found, content_found, content_layer)
            loss += style_weight * style_loss(found, grams, layer_weights)
            loss += tv_weight * total_variation_loss(image)
            loss = tf.reduce_sum(loss)
        optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        if callback is not None:
            callback(step + 1, loss, image)  # the loss as a tensor of one number: fine for the progress plots
    return image.numpy()
