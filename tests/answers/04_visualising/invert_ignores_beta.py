# expect: fail invert_representation
"""`beta` not passed on to inversion_loss: always beta = 2."""


def invert_representation(model, layer, target_features, lam, mu, steps=200, step_size=0.05, beta=2.0, seed=0):
    start = 0.01 * np.random.default_rng(seed).normal(size=(len(target_features), 28, 28, 1))
    x = tf.Variable(start.astype("float32"))
    optimizer = keras.optimizers.Adam(step_size)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(inversion_loss(model, layer, x, target_features, lam, mu))
        optimizer.apply_gradients([(tape.gradient(loss, x), x)])
    return x.numpy()
