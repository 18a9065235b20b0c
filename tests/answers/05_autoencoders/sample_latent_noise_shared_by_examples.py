# expect: fail sample_latent
"""One noise vector (d,) for the whole batch."""


def sample_latent(mu, log_var):
    return mu + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mu)[1:])
