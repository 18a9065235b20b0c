# expect: pass
"""Raw (not normalised) gradient steps from the best of `starts` uniform [-1, 1] images on the sphere,
projected after every step. (Until the units were judged one by one this entry started each unit
from a single uniform [0, 1] image and passed with one to four units left at 0: that is the
mistake activation_max_single_start now.)"""


def activation_maximisation(model, layer, units, rho, steps=100, step_size=1.0, starts=16, seed=0):
    features = models.feature_extractor(model, layer)
    units = np.asarray(units)
    index = np.stack([np.arange(len(units)), units[:, 0], units[:, 1], units[:, 2]], axis=1)
    rng = np.random.default_rng(seed)
    best, best_response = None, None
    for _ in range(starts):
        candidate = tf.convert_to_tensor(project_to_sphere(rng.uniform(-1, 1, size=(len(units), 28, 28, 1)), rho),
                                         tf.float32)
        response = tf.gather_nd(features(candidate, training=False), index)
        if best is None:
            best, best_response = candidate, response
        else:
            better = (response > best_response)[:, None, None, None]
            best, best_response = tf.where(better, candidate, best), tf.maximum(response, best_response)
    x = best
    for _ in range(steps):
        with tf.GradientTape() as tape:
            tape.watch(x)
            activation = tf.reduce_sum(tf.gather_nd(features(x, training=False), index))
        x = tf.convert_to_tensor(project_to_sphere(x + step_size * tape.gradient(activation, x), rho), tf.float32)
    return x
