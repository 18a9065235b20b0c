# expect: fail activation_maximisation
"""No best of starts: each unit starts from one uniform [-1, 1] image on the sphere, so a ReLU unit
that is 0 there has no gradient and never moves (it passed while the units were judged by their median)."""


def activation_maximisation(model, layer, units, rho, steps=100, step_size=0.1, starts=16, seed=0):
    features = models.feature_extractor(model, layer)
    units = np.asarray(units)
    count = len(units)
    index = np.stack([np.arange(count), units[:, 0], units[:, 1], units[:, 2]], axis=1)
    noise = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(count, 28, 28, 1))
    x = tf.convert_to_tensor(project_to_sphere(noise, rho), dtype=tf.float32)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            activation = tf.reduce_sum(tf.gather_nd(features(x, training=False), index))
        gradient = tape.gradient(activation, x)
        gradient /= tf.sqrt(tf.reduce_sum(tf.square(gradient), axis=[1, 2, 3], keepdims=True)) + 1e-12
        x = tf.convert_to_tensor(project_to_sphere(x + step_size * rho * gradient, rho), dtype=tf.float32)
    return x
