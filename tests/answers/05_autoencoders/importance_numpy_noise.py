# expect: pass
"""Noise drawn with a fresh NumPy generator at each call (no gradient is needed here), weights in TensorFlow."""


def importance_sampled_log_px(x, mu, log_var, log_likelihood, num_samples):
    mu = np.asarray(mu, dtype="float32")
    log_var = np.asarray(log_var, dtype="float32")
    draw = np.random.default_rng()
    sigma = np.exp(0.5 * log_var)
    half_log_2pi = 0.5 * np.log(2.0 * np.pi)
    rows = []
    for _ in range(num_samples):
        eps = draw.standard_normal(mu.shape).astype("float32")
        z = mu + sigma * eps
        log_p_z = np.sum(-0.5 * z ** 2 - half_log_2pi, axis=1)
        log_q_z = np.sum(-0.5 * eps ** 2 - 0.5 * log_var - half_log_2pi, axis=1)
        rows.append(np.asarray(log_likelihood(x, tf.constant(z))) + log_p_z - log_q_z)
    return tf.reduce_logsumexp(tf.constant(np.stack(rows, axis=1)), axis=1) - np.log(num_samples)
