# expect: fail total_variation_loss
"""Squared neighbour differences (the smoothness penalty of week 4) instead of absolute ones."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    h, w, c = x.shape[1], x.shape[2], x.shape[3]
    vertical = tf.reduce_sum(tf.square(x[:, 1:] - x[:, :-1]), axis=[1, 2, 3])
    horizontal = tf.reduce_sum(tf.square(x[:, :, 1:] - x[:, :, :-1]), axis=[1, 2, 3])
    return (vertical + horizontal) / (h * w * c)
