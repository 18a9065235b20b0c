# expect: fail universal_perturbation
"""Always 10 epochs, whatever `epochs` says."""


def universal_perturbation(model, x, y, eps, step_size=0.01, epochs=10, batch_size=100):
    x = np.asarray(x, dtype="float32")
    y = np.asarray(y)
    delta = tf.zeros(x.shape[1:], dtype=tf.float32)
    for _ in range(10):
        for start in range(0, len(x), batch_size):
            batch, labels = x[start:start + batch_size], y[start:start + batch_size]
            with tf.GradientTape() as tape:
                tape.watch(delta)
                logits = model(tf.clip_by_value(batch + delta, 0.0, 1.0), training=False)
                loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))
            delta = tf.clip_by_value(delta + step_size * tf.sign(tape.gradient(loss, delta)), -eps, eps)
    return delta
