# expect: fail sample_latent
"""Scales the noise by sigma^2 = exp(log_var) instead of sigma."""


def sample_latent(mu, log_var):
    return mu + tf.exp(log_var) * tf.random.normal(tf.shape(mu))
