# expect: fail activation_maximisation
"""One step too many (a loop that updates before it tests the count), the solution otherwise: steps=0 still moves."""


def activation_maximisation(model, layer, units, rho, steps=100, step_size=0.1, starts=16, seed=0):
    features = models.feature_extractor(model, layer)
    units = np.asarray(units)
    count = len(units)
    index = np.stack([np.arange(count), units[:, 0], units[:, 1], units[:, 2]], axis=1)
    noise = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(starts, count, 28, 28, 1))
    candidates = np.asarray(project_to_sphere(noise.reshape(starts * count, 28, 28, 1), rho)).reshape(noise.shape)
    responses = np.stack([tf.gather_nd(features(candidates[s], training=False), index) for s in range(starts)])
    x = tf.convert_to_tensor(candidates[np.argmax(responses, axis=0), np.arange(count)], dtype=tf.float32)
    for _ in range(steps + 1):
        with tf.GradientTape() as tape:
            tape.watch(x)
            activation = tf.reduce_sum(tf.gather_nd(features(x, training=False), index))
        gradient = tape.gradient(activation, x)
        gradient /= tf.sqrt(tf.reduce_sum(tf.square(gradient), axis=[1, 2, 3], keepdims=True)) + 1e-12
        x = tf.convert_to_tensor(project_to_sphere(x + step_size * rho * gradient, rho), dtype=tf.float32)
    return x
