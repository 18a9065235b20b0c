# expect: fail gaussian_kl
# says: is 0.5
"""Forgets the factor 1/2."""


def gaussian_kl(mu, log_var):
    return -tf.reduce_sum(1.0 + log_var - tf.square(mu) - tf.exp(log_var), axis=-1)
