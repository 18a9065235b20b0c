# expect: pass
"""sigma as tf.sqrt(tf.exp(log_var)), noise from tf.random.normal(tf.shape(mu), dtype=mu.dtype)."""
from tensorflow import random as tf_random


def sample_latent(mu, log_var):
    mu = tf.convert_to_tensor(mu)
    epsilon = tf_random.normal(tf.shape(mu), dtype=mu.dtype)
    return mu + tf.sqrt(tf.exp(log_var)) * epsilon
