# expect: fail gaussian_kl
"""Sums over axis 0 (the examples) instead of the latent dimensions."""


def gaussian_kl(mu, log_var):
    return -0.5 * tf.reduce_sum(1.0 + log_var - tf.square(mu) - tf.exp(log_var), axis=0)
