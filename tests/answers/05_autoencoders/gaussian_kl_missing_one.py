# expect: fail gaussian_kl
"""Drops the + 1 inside the sum: KL(p || p) comes out d/2 instead of 0."""


def gaussian_kl(mu, log_var):
    return -0.5 * tf.reduce_sum(log_var - tf.square(mu) - tf.exp(log_var), axis=-1)
