# expect: fail sample_latent
"""A stateful tf.random.Generator seeded inside the function: every call draws the same noise."""


def sample_latent(mu, log_var):
    generator = tf.random.Generator.from_seed(1234)
    epsilon = generator.normal(tf.shape(mu), dtype=mu.dtype)
    return mu + tf.exp(0.5 * log_var) * epsilon
