# expect: pass
"""tf.random.stateless_normal with the seed (SEED, a call counter kept in the notebook): reproducible, fresh each call."""
latent_calls = [0]


def sample_latent(mu, log_var):
    latent_calls[0] += 1
    epsilon = tf.random.stateless_normal(tf.shape(mu), seed=[1234, latent_calls[0]], dtype=mu.dtype)
    return mu + tf.exp(log_var / 2.0) * epsilon
