# expect: pass
"""The reparameterisation in a tf.function: the random op draws fresh noise at every call of the graph."""


@tf.function
def sample_latent(mu, log_var):
    return mu + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mu), dtype=mu.dtype)
