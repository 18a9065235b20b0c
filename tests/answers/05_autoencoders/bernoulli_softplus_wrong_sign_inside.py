# expect: fail bernoulli_log_likelihood
"""x l - softplus(-l): the softplus of the wrong sign of the logits."""


def bernoulli_log_likelihood(x, logits):
    logits = tf.convert_to_tensor(logits, dtype=tf.float32)
    per_pixel = tf.cast(x, tf.float32) * logits - tf.nn.softplus(-logits)
    return tf.reduce_sum(per_pixel, axis=tf.range(1, tf.rank(per_pixel)))
