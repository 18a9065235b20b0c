# expect: pass
"""|gradient| with the single MNIST channel squeezed away: the max over one channel, as the exercise's (N, 28, 28) asks."""


def saliency_map(model, x, classes):
    x = tf.convert_to_tensor(np.asarray(x, dtype="float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = model(x, training=False)
        chosen = tf.gather(logits, np.asarray(classes), axis=1, batch_dims=1)
    return tf.squeeze(tf.abs(tape.gradient(chosen, x)), axis=-1)
