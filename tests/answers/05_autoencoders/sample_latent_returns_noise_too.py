# expect: fail sample_latent
"""Returns (z, eps) instead of z."""


def sample_latent(mu, log_var):
    eps = tf.random.normal(tf.shape(mu))
    return mu + tf.exp(0.5 * log_var) * eps, eps
