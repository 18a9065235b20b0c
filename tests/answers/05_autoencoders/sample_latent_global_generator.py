# expect: pass
"""A tf.random.Generator made once in the notebook (from_seed), drawn from at every call: fresh noise each time."""
latent_generator = tf.random.Generator.from_seed(1234)


def sample_latent(mu, log_var):
    epsilon = latent_generator.normal(tf.shape(mu), dtype=mu.dtype)
    return mu + tf.exp(0.5 * log_var) * epsilon
