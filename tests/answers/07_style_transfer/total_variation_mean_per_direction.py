# expect: fail total_variation_loss
"""The mean absolute difference of each direction, added: each sum divided by its own count of pairs."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    vertical = tf.reduce_mean(tf.abs(x[:, 1:, :, :] - x[:, :-1, :, :]), axis=[1, 2, 3])
    horizontal = tf.reduce_mean(tf.abs(x[:, :, 1:, :] - x[:, :, :-1, :]), axis=[1, 2, 3])
    return vertical + horizontal
