# expect: fail universal_perturbation
"""``delta - step_size * sign(gradient)``: descends the mean loss, the model grows surer of itself."""


def universal_perturbation(model, x, y, eps, step_size=0.01, epochs=10, batch_size=100):
    x, y = np.asarray(x, dtype=np.float32), np.asarray(y)
    delta = tf.zeros(x.shape[1:])
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            with tf.GradientTape() as tape:
                tape.watch(delta)
                logits = model(tf.clip_by_value(x[start:start + batch_size] + delta, 0.0, 1.0))
                loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
                    y[start:start + batch_size], logits, from_logits=True))
            delta = tf.clip_by_value(delta - step_size * tf.sign(tape.gradient(loss, delta)), -eps, eps)
    return delta
