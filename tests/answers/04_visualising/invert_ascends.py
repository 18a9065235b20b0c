# expect: fail invert_representation
# says: descend inversion_loss
"""Gradient ascent on the inversion objective: the features move away from phi_0."""


def invert_representation(model, layer, target_features, lam, mu, steps=200, step_size=0.05, beta=2.0, seed=0):
    x = tf.Variable(0.01 * np.random.default_rng(seed).normal(size=(len(target_features), 28, 28, 1)).astype("float32"))
    optimizer = keras.optimizers.Adam(step_size)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = -tf.reduce_sum(inversion_loss(model, layer, x, target_features, lam, mu, beta))
        optimizer.apply_gradients([(tape.gradient(loss, x), x)])
    return x.numpy()
