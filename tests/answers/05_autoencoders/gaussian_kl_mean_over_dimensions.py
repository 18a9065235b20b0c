# expect: fail gaussian_kl
"""Averages over the latent dimensions instead of summing."""


def gaussian_kl(mu, log_var):
    return -0.5 * tf.reduce_mean(1.0 + log_var - tf.square(mu) - tf.exp(log_var), axis=-1)
