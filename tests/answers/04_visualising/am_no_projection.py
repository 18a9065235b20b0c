# expect: fail activation_maximisation
"""Unconstrained ascent: the start is on the sphere, the steps leave it."""


def activation_maximisation(model, layer, units, rho, steps=100, step_size=0.1, starts=16, seed=0):
    features = models.feature_extractor(model, layer)
    units = np.asarray(units)
    index = np.stack([np.arange(len(units)), units[:, 0], units[:, 1], units[:, 2]], axis=1)
    start = np.random.default_rng(seed).uniform(size=(len(units), 28, 28, 1))
    x = tf.convert_to_tensor(project_to_sphere(start, rho), dtype=tf.float32)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            activation = tf.reduce_sum(tf.gather_nd(features(x, training=False), index))
        x = x + step_size * tape.gradient(activation, x)
    return x
