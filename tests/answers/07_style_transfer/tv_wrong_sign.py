# expect: fail total_variation_loss
# says: absolute differences
"""Differences taken the other way round without their absolute value: a negative, telescoping 'TV'."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    down = tf.reduce_sum(x[:, :-1] - x[:, 1:], axis=[1, 2, 3])
    right = tf.reduce_sum(x[:, :, :-1] - x[:, :, 1:], axis=[1, 2, 3])
    return -tf.abs(down + right) / tf.cast(tf.reduce_prod(tf.shape(x)[1:]), tf.float32)
