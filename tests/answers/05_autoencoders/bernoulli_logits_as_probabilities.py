# expect: fail bernoulli_log_likelihood
"""Takes the logits for probabilities (no sigmoid)."""


def bernoulli_log_likelihood(x, logits):
    x, p = tf.cast(x, tf.float32), tf.clip_by_value(logits, 1e-7, 1 - 1e-7)
    per_pixel = x * tf.math.log(p) + (1 - x) * tf.math.log(1 - p)
    return tf.reduce_sum(tf.reshape(per_pixel, (tf.shape(x)[0], -1)), axis=1)
