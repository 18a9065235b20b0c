# expect: fail invert_representation
"""One step too many (a loop that updates before it tests the count): steps=0 still moves."""


def invert_representation(model, layer, target_features, lam, mu, steps=200, step_size=0.05, beta=2.0, seed=0):
    start = 0.01 * np.random.default_rng(seed).normal(size=(len(target_features), 28, 28, 1))
    x = tf.Variable(start.astype("float32"))
    optimizer = keras.optimizers.Adam(step_size)
    for _ in range(steps + 1):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(inversion_loss(model, layer, x, target_features, lam, mu, beta))
        optimizer.apply_gradients([(tape.gradient(loss, x), x)])
    return x.numpy()
