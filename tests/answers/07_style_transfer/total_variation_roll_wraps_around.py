# expect: fail total_variation_loss
"""Neighbours by tf.roll: the last row and column are compared with the first (wrap-around pairs added)."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    vertical = tf.abs(tf.roll(x, shift=-1, axis=1) - x)
    horizontal = tf.abs(tf.roll(x, shift=-1, axis=2) - x)
    return tf.reduce_mean(vertical + horizontal, axis=[1, 2, 3])
