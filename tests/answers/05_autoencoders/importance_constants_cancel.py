# expect: pass
"""Vectorised over K with tf.repeat; both Gaussian log-densities without -1/2 log 2 pi (the constants cancel)."""


def importance_sampled_log_px(x, mu, log_var, log_likelihood, num_samples):
    mu = tf.convert_to_tensor(mu, tf.float32)
    log_var = tf.convert_to_tensor(log_var, tf.float32)
    n, d = mu.shape[0], mu.shape[1]
    k = num_samples
    epsilon = tf.random.normal((k, n, d))
    z = mu[None] + tf.exp(0.5 * log_var)[None] * epsilon          # (K, N, d)
    log_prior = -0.5 * tf.reduce_sum(tf.square(z), axis=-1)
    log_q = -0.5 * tf.reduce_sum(tf.square(epsilon) + log_var[None], axis=-1)
    x_repeated = tf.tile(tf.convert_to_tensor(x)[None], [k] + [1] * len(x.shape))
    x_flat = tf.reshape(x_repeated, (k * n, *x.shape[1:]))
    log_lik = tf.reshape(log_likelihood(x_flat, tf.reshape(z, (k * n, d))), (k, n))
    return tf.reduce_logsumexp(log_lik + log_prior - log_q, axis=0) - tf.math.log(float(k))
