# expect: fail importance_sampled_log_px
"""log q(z) divides (z - mu)^2 by sigma, not by sigma^2."""


def importance_sampled_log_px(x, mu, log_var, log_likelihood, num_samples):
    mu = tf.convert_to_tensor(mu, tf.float32)
    log_var = tf.convert_to_tensor(log_var, tf.float32)
    log_2pi = float(np.log(2 * np.pi))
    log_weights = []
    for _ in range(num_samples):
        z = mu + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mu))
        log_prior = -0.5 * tf.reduce_sum(z ** 2 + log_2pi, axis=1)
        log_q = -0.5 * tf.reduce_sum((z - mu) ** 2 / tf.exp(0.5 * log_var) + log_var + log_2pi, axis=1)
        log_weights.append(log_likelihood(x, z) + log_prior - log_q)
    return tf.reduce_logsumexp(tf.stack(log_weights), axis=0) - tf.math.log(float(num_samples))
