# expect: fail bernoulli_log_likelihood
"""Minus the summed squared error of sigmoid(logits): MSE where the Bernoulli likelihood was asked."""


def bernoulli_log_likelihood(x, logits):
    x = tf.cast(x, tf.float32)
    return -tf.reduce_sum(tf.reshape(tf.square(x - tf.sigmoid(logits)), (tf.shape(x)[0], -1)), axis=1)
