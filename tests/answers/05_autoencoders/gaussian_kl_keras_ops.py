# expect: pass
"""keras.ops instead of tf."""


def gaussian_kl(mu, log_var):
    return -0.5 * keras.ops.sum(1.0 + log_var - keras.ops.square(mu) - keras.ops.exp(log_var), axis=-1)
