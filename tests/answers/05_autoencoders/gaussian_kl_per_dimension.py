# expect: fail gaussian_kl
"""Returns one KL per latent dimension, (N, d), not per example."""


def gaussian_kl(mu, log_var):
    return -0.5 * (1.0 + log_var - tf.square(mu) - tf.exp(log_var))
