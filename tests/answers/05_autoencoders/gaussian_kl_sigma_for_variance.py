# expect: fail gaussian_kl
"""Uses sigma = exp(log_var / 2) where the formula has sigma^2."""


def gaussian_kl(mu, log_var):
    sigma = tf.exp(0.5 * log_var)
    return -0.5 * tf.reduce_sum(1.0 + log_var - mu ** 2 - sigma, axis=1)
