# expect: fail sample_latent
"""Noise from tf.random.truncated_normal: its spread is 0.88, not 1."""


def sample_latent(mu, log_var):
    epsilon = tf.random.truncated_normal(tf.shape(mu), dtype=mu.dtype)
    return mu + tf.exp(0.5 * log_var) * epsilon
