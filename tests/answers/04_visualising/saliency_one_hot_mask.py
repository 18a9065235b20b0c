# expect: pass
"""The chosen logits picked by a one-hot mask and summed."""


def saliency_map(model, x, classes):
    x = tf.convert_to_tensor(np.asarray(x, dtype="float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = model(x)
        score = tf.reduce_sum(logits * tf.one_hot(classes, logits.shape[-1]))
    return tf.reduce_max(tf.abs(tape.gradient(score, x)), axis=-1)
