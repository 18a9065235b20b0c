# expect: fail bernoulli_log_likelihood
"""Sums over axes (1, 2, 3), the axes of an image batch: flat inputs (N, D) have no such axes."""


def bernoulli_log_likelihood(x, logits):
    x = tf.cast(x, tf.float32)
    per_pixel = -tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=tf.cast(logits, tf.float32))
    return tf.reduce_sum(per_pixel, axis=[1, 2, 3])
