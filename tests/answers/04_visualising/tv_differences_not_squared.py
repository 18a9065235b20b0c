# expect: fail total_variation inversion_loss
"""|dx| + |dy| inside the power instead of the squares."""


def total_variation(x, beta=2.0):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    right = x[:, :-1, 1:, :] - x[:, :-1, :-1, :]
    down = x[:, 1:, :-1, :] - x[:, :-1, :-1, :]
    return tf.reduce_sum((tf.abs(right) + tf.abs(down)) ** (beta / 2), axis=[1, 2, 3])
