# expect: fail gaussian_kl
"""Subtracts log_var where sigma^2 = exp(log_var) belongs."""


def gaussian_kl(mu, log_var):
    return -0.5 * tf.reduce_sum(1.0 + log_var - tf.square(mu) - log_var, axis=-1)
