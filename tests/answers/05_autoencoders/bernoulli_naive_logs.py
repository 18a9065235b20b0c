# expect: pass
"""log(sigmoid(l)) and log(1 - sigmoid(l)) written out: right, less stable."""


def bernoulli_log_likelihood(x, logits):
    p = tf.sigmoid(tf.cast(logits, tf.float32))
    x = tf.cast(x, tf.float32)
    per_pixel = x * tf.math.log(p) + (1 - x) * tf.math.log(1 - p)
    return tf.reduce_sum(tf.reshape(per_pixel, (tf.shape(x)[0], -1)), axis=1)
