# expect: fail total_variation_loss
"""TV with the wrong sign: the smoothness term returned negated, so that adding it rewards noise."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    size = tf.cast(tf.reduce_prod(tf.shape(x)[1:]), tf.float32)
    return -tf.image.total_variation(x) / size
