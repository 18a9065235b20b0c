# expect: fail gaussian_kl
"""Uses |mu| where mu^2 belongs."""


def gaussian_kl(mu, log_var):
    return -0.5 * tf.reduce_sum(1.0 + log_var - tf.abs(mu) - tf.exp(log_var), axis=-1)
