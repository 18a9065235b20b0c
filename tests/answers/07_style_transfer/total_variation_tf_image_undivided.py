# expect: fail total_variation_loss
"""tf.image.total_variation as it is, without the division by H W C."""


def total_variation_loss(x):
    return tf.image.total_variation(tf.convert_to_tensor(x, dtype=tf.float32))
