# expect: pass
"""Plain gradient descent with a fixed step from the seeded 0.01 N(0, 1) start, beta passed on."""


def invert_representation(model, layer, target_features, lam, mu, steps=200, step_size=0.01, beta=2.0, seed=0):
    x = tf.constant(0.01 * np.random.default_rng(seed).normal(size=(len(target_features), 28, 28, 1)), tf.float32)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(inversion_loss(model, layer, x, target_features, lam, mu, beta=beta))
        x = x - step_size * tape.gradient(loss, x)
    return x
