# expect: pass
"""The batches in a new random order every epoch (np.random.default_rng(epoch).permutation);
delta a tf.Variable updated with assign; the batch's *summed* loss (the same signs as the mean)."""


def universal_perturbation(model, x, y, eps, step_size=0.01, epochs=10, batch_size=100):
    x, y = np.asarray(x, dtype=np.float32), np.asarray(y)
    delta = tf.Variable(tf.zeros((28, 28, 1)))
    for epoch in range(epochs):
        order = np.random.default_rng(epoch).permutation(len(x))
        for start in range(0, len(x), batch_size):
            index = order[start:start + batch_size]
            with tf.GradientTape() as tape:
                logits = model(tf.clip_by_value(x[index] + delta, 0.0, 1.0), training=False)
                loss = tf.reduce_sum(keras.losses.sparse_categorical_crossentropy(y[index], logits,
                                                                                  from_logits=True))
            delta.assign(tf.clip_by_value(delta + step_size * tf.sign(tape.gradient(loss, delta)), -eps, eps))
    return delta.numpy()
