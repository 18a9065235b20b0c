# expect: fail total_variation_loss
"""tf.image.total_variation divided by tf.size(x), which counts the whole batch: N H W C instead of H W C."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    return tf.image.total_variation(x) / tf.cast(tf.size(x), tf.float32)
