# expect: fail saliency_map
# says: not the softmax
"""The gradient of the softmax probability instead of the logit."""


def saliency_map(model, x, classes):
    x = tf.convert_to_tensor(np.asarray(x, dtype="float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        probabilities = tf.nn.softmax(model(x, training=False))
        chosen = tf.gather(probabilities, np.asarray(classes), axis=1, batch_dims=1)
    return tf.reduce_max(tf.abs(tape.gradient(chosen, x)), axis=-1)
