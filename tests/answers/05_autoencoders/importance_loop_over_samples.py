# expect: pass
"""One sample at a time in a Python loop, then tf.reduce_logsumexp."""


def importance_sampled_log_px(x, mu, log_var, log_likelihood, num_samples):
    mu, log_var = tf.constant(mu, tf.float32), tf.constant(log_var, tf.float32)
    sigma = tf.exp(0.5 * log_var)
    log_weights = []
    for _ in range(num_samples):
        z = mu + sigma * tf.random.normal(tf.shape(mu))
        log_prior = tf.reduce_sum(-0.5 * tf.square(z) - 0.5 * np.log(2 * np.pi), axis=1)
        log_q = tf.reduce_sum(-0.5 * tf.square((z - mu) / sigma) - tf.math.log(sigma) - 0.5 * np.log(2 * np.pi), axis=1)
        log_weights.append(log_likelihood(x, z) + log_prior - log_q)
    return tf.reduce_logsumexp(tf.stack(log_weights), axis=0) - tf.math.log(float(num_samples))
