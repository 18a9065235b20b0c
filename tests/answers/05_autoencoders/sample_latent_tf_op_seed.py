# expect: pass
"""tf.random.normal with an op seed: reproducible runs, yet a fresh draw at every call (TensorFlow counts the calls)."""


def sample_latent(mu, log_var):
    return mu + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mu), seed=1234)
