# expect: fail importance_sampled_log_px
"""logsumexp of the log weights without subtracting log K."""


def importance_sampled_log_px(x, mu, log_var, log_likelihood, num_samples):
    x = tf.convert_to_tensor(x, tf.float32)
    mu, log_var = tf.convert_to_tensor(mu, tf.float32), tf.convert_to_tensor(log_var, tf.float32)
    n, d = mu.shape
    eps = tf.random.normal((num_samples, n, d))
    z = mu + tf.exp(0.5 * log_var) * eps
    repeated = tf.reshape(tf.broadcast_to(x[None], (num_samples, *x.shape)), (num_samples * n, *x.shape[1:]))
    log_px_z = tf.reshape(log_likelihood(repeated, tf.reshape(z, (num_samples * n, d))), (num_samples, n))
    log_prior = -0.5 * tf.reduce_sum(tf.square(z) + np.log(2 * np.pi), axis=-1)
    log_q = -0.5 * tf.reduce_sum(tf.square(eps) + log_var + np.log(2 * np.pi), axis=-1)
    log_w = log_px_z + log_prior - log_q
    return tf.reduce_logsumexp(log_w, axis=0)
