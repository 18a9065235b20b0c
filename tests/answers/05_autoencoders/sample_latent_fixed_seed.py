# expect: fail sample_latent
"""keras.random.normal with an integer seed: a stateless draw, the same eps at every call."""


def sample_latent(mu, log_var):
    return mu + tf.exp(0.5 * log_var) * keras.random.normal(tf.shape(mu), seed=1234)
