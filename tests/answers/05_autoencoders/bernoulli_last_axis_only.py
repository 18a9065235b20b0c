# expect: fail bernoulli_log_likelihood
"""Sums over the last axis only: right for flat vectors, not for images."""


def bernoulli_log_likelihood(x, logits):
    per_pixel = -tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(x, tf.float32), logits=logits)
    return tf.reduce_sum(per_pixel, axis=-1)
