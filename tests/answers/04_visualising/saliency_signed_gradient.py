# expect: fail saliency_map
"""The signed gradient, its absolute value forgotten: pixels that lower the score come out negative."""


def saliency_map(model, x, classes):
    x = tf.convert_to_tensor(np.asarray(x, dtype="float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = model(x, training=False)
        chosen = tf.gather(logits, np.asarray(classes), axis=1, batch_dims=1)
    return tf.reduce_max(tape.gradient(chosen, x), axis=-1)
