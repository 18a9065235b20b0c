# expect: pass
"""tf.image.total_variation (the double sum per image) divided by H W C."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    count = tf.cast(tf.reduce_prod(tf.shape(x)[1:]), tf.float32)
    return tf.image.total_variation(x) / count
