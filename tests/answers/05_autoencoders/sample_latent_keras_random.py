# expect: pass
"""keras.random.normal and keras.ops."""


def sample_latent(mu, log_var):
    return mu + keras.ops.exp(0.5 * log_var) * keras.random.normal(keras.ops.shape(mu))
