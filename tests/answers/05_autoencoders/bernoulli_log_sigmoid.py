# expect: pass
"""x log_sigmoid(l) + (1 - x) log_sigmoid(-l), summed over a flattened (N, -1) view."""


def bernoulli_log_likelihood(x, logits):
    logits = tf.convert_to_tensor(logits, dtype=tf.float32)
    x = tf.cast(x, logits.dtype)
    per_pixel = x * tf.math.log_sigmoid(logits) + (1.0 - x) * tf.math.log_sigmoid(-logits)
    return tf.reduce_sum(tf.reshape(per_pixel, (tf.shape(per_pixel)[0], -1)), axis=1)
