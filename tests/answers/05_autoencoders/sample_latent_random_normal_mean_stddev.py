# expect: pass
"""tf.random.normal(mean=mu, stddev=sigma): TensorFlow computes it as mu + sigma * eps."""


def sample_latent(mu, log_var):
    return tf.random.normal(tf.shape(mu), mean=mu, stddev=tf.exp(0.5 * log_var))
