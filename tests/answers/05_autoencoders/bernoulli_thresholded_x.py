# expect: fail bernoulli_log_likelihood
"""Picks log p where x is 1 and log(1 - p) elsewhere: right for binary x, wrong for grey values."""


def bernoulli_log_likelihood(x, logits):
    x, logits = tf.cast(x, tf.float32), tf.cast(logits, tf.float32)
    per_pixel = tf.where(x > 0.5, tf.math.log_sigmoid(logits), tf.math.log_sigmoid(-logits))
    return tf.reduce_sum(tf.reshape(per_pixel, (tf.shape(x)[0], -1)), axis=1)
