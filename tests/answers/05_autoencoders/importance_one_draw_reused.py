# expect: fail importance_sampled_log_px
"""Draws z once per example before the loop and reuses it for all K terms: a one-sample estimate."""


def importance_sampled_log_px(x, mu, log_var, log_likelihood, num_samples):
    mu = tf.convert_to_tensor(mu, tf.float32)
    log_var = tf.convert_to_tensor(log_var, tf.float32)
    eps = tf.random.normal(tf.shape(mu))
    z = mu + tf.exp(0.5 * log_var) * eps
    log_2pi = float(np.log(2 * np.pi))
    log_weights = []
    for _ in range(num_samples):
        log_prior = -0.5 * tf.reduce_sum(z ** 2 + log_2pi, axis=1)
        log_q = -0.5 * tf.reduce_sum(eps ** 2 + log_var + log_2pi, axis=1)
        log_weights.append(log_likelihood(x, z) + log_prior - log_q)
    return tf.reduce_logsumexp(tf.stack(log_weights, axis=1), axis=1) - tf.math.log(float(num_samples))
