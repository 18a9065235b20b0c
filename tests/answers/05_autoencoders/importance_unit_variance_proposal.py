# expect: fail importance_sampled_log_px
"""Draws z_k = mu + eps (sigma forgotten) but weighs them with q = N(mu, exp(log_var))."""


def importance_sampled_log_px(x, mu, log_var, log_likelihood, num_samples):
    x = tf.convert_to_tensor(x, tf.float32)
    mu, log_var = tf.convert_to_tensor(mu, tf.float32), tf.convert_to_tensor(log_var, tf.float32)
    n, d = mu.shape
    z = mu + tf.random.normal((num_samples, n, d))
    repeated = tf.reshape(tf.broadcast_to(x[None], (num_samples, *x.shape)), (num_samples * n, *x.shape[1:]))
    log_px_z = tf.reshape(log_likelihood(repeated, tf.reshape(z, (num_samples * n, d))), (num_samples, n))
    log_prior = -0.5 * tf.reduce_sum(tf.square(z) + np.log(2 * np.pi), axis=-1)
    log_q = -0.5 * tf.reduce_sum(tf.square(z - mu) / tf.exp(log_var) + log_var + np.log(2 * np.pi), axis=-1)
    return tf.reduce_logsumexp(log_px_z + log_prior - log_q, axis=0) - np.log(num_samples)
