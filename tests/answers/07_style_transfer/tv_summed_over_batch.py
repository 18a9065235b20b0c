# expect: fail total_variation_loss
"""The right sums over the whole batch at once: one number instead of one value per image."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    down = tf.reduce_sum(tf.abs(x[:, 1:] - x[:, :-1]))
    right = tf.reduce_sum(tf.abs(x[:, :, 1:] - x[:, :, :-1]))
    return (down + right) / tf.cast(tf.reduce_prod(tf.shape(x)[1:]), tf.float32)
