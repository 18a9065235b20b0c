# expect: fail gaussian_kl
# says: check the sign
"""+1/2 instead of -1/2 in front of the sum."""


def gaussian_kl(mu, log_var):
    return 0.5 * tf.reduce_sum(1.0 + log_var - tf.square(mu) - tf.exp(log_var), axis=-1)
