# expect: fail gaussian_kl
"""Forgets the factor 1/2."""


def gaussian_kl(mu, log_var):
    return -tf.reduce_sum(1.0 + log_var - tf.square(mu) - tf.exp(log_var), axis=-1)
