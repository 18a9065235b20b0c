# expect: fail bernoulli_log_likelihood
"""Returns the cross-entropy (positive) instead of the log-likelihood."""


def bernoulli_log_likelihood(x, logits):
    x = tf.cast(x, tf.float32)
    per_pixel = tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits)
    return tf.reduce_sum(tf.reshape(per_pixel, (tf.shape(x)[0], -1)), axis=1)
