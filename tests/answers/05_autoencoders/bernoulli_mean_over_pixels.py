# expect: fail bernoulli_log_likelihood
"""Averages over the pixels instead of summing."""


def bernoulli_log_likelihood(x, logits):
    x = tf.cast(x, tf.float32)
    per_pixel = -tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits)
    return tf.reduce_mean(tf.reshape(per_pixel, (tf.shape(x)[0], -1)), axis=1)
