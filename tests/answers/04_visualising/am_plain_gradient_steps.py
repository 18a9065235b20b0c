# expect: pass
"""Raw (not normalised) gradient steps, a uniform [0, 1] start, projected after every step."""


def activation_maximisation(model, layer, units, rho, steps=100, step_size=1.0, starts=16, seed=0):
    features = models.feature_extractor(model, layer)
    units = np.asarray(units)
    index = np.stack([np.arange(len(units)), units[:, 0], units[:, 1], units[:, 2]], axis=1)
    x = tf.convert_to_tensor(project_to_sphere(np.random.default_rng(seed).uniform(size=(len(units), 28, 28, 1)), rho),
                             dtype=tf.float32)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            activation = tf.reduce_sum(tf.gather_nd(features(x, training=False), index))
        x = tf.convert_to_tensor(project_to_sphere(x + step_size * tape.gradient(activation, x), rho), tf.float32)
    return x
