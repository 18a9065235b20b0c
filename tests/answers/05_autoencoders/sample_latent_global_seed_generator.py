# expect: pass
"""keras.random.normal with a keras.random.SeedGenerator made once in the notebook (keras' documented pattern)."""
latent_seeds = keras.random.SeedGenerator(1234)


def sample_latent(mu, log_var):
    epsilon = keras.random.normal(keras.ops.shape(mu), seed=latent_seeds)
    return mu + keras.ops.exp(0.5 * log_var) * epsilon
