# expect: pass
"""A helper log_normal(z, mean, log_var) and a notebook constant LOG_2PI; the K draws as one (N, K, d) tensor."""
LOG_2PI = float(np.log(2.0 * np.pi))


def log_normal(z, mean, log_var):
    """log N(z; mean, exp(log_var)) of diagonal Gaussians, summed over the last axis."""
    return -0.5 * tf.reduce_sum(LOG_2PI + log_var + tf.square(z - mean) * tf.exp(-log_var), axis=-1)


def importance_sampled_log_px(x, mu, log_var, log_likelihood, num_samples):
    mu = tf.convert_to_tensor(mu, tf.float32)
    log_var = tf.convert_to_tensor(log_var, tf.float32)
    n, d = mu.shape
    z = mu[:, None, :] + tf.exp(0.5 * log_var)[:, None, :] * tf.random.normal((n, num_samples, d))
    x = tf.convert_to_tensor(x)
    x_repeated = tf.repeat(x, num_samples, axis=0)                       # example-major, as z reshaped below
    log_lik = tf.reshape(log_likelihood(x_repeated, tf.reshape(z, (n * num_samples, d))), (n, num_samples))
    log_w = log_lik + log_normal(z, 0.0, tf.zeros_like(z)) - log_normal(z, mu[:, None, :], log_var[:, None, :])
    return tf.reduce_logsumexp(log_w, axis=1) - np.log(num_samples)
