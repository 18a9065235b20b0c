# expect: pass
"""Adam made from its config (keras.optimizers.Adam.from_config) once, before the loop; a tf.function step
that clips the image before its gradient step, and one more clip after the last step (the trajectory of
clipping after every step); the callback sees the image before that clip."""


def style_transfer(extractor, content_image, style_image, content_layer, layer_weights, content_weight,
                   style_weight, tv_weight, steps, start=None, learning_rate=0.02, callback=None):
    content_targets = extractor(tf.convert_to_tensor(content_image, dtype=tf.float32))
    style_maps = extractor(tf.convert_to_tensor(style_image, dtype=tf.float32))
    style_targets = {layer: gram_matrix(style_maps[layer]) for layer in layer_weights}
    image = tf.Variable(tf.identity(tf.convert_to_tensor(content_image if start is None else start, tf.float32)))
    adam = keras.optimizers.Adam.from_config({"learning_rate": learning_rate})

    @tf.function
    def clipped_then_step():
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        with tf.GradientTape() as tape:
            found = extractor(image)
            total = tf.reduce_sum(content_weight * content_loss(found, content_targets, content_layer)
                                  + style_weight * style_loss(found, style_targets, layer_weights)
                                  + tv_weight * total_variation_loss(image))
        adam.apply_gradients([(tape.gradient(total, image), image)])
        return total

    for number in range(1, int(steps) + 1):
        total = clipped_then_step()
        if callback is not None:
            callback(number, total, image)
    image.assign(tf.clip_by_value(image, 0.0, 1.0))
    return image.numpy()
