# expect: fail total_variation inversion_loss
"""The power of the summed squares of the whole difference images, not of each pixel's."""


def total_variation(x, beta=2.0):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    right = tf.reduce_sum(tf.square(x[:, :, 1:] - x[:, :, :-1]), axis=[1, 2, 3])
    down = tf.reduce_sum(tf.square(x[:, 1:] - x[:, :-1]), axis=[1, 2, 3])
    return right ** (beta / 2) + down ** (beta / 2)
