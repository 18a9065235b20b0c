# expect: fail total_variation_loss
"""Week 4's habit: squared differences instead of absolute ones."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    down = tf.reduce_sum(tf.square(x[:, 1:] - x[:, :-1]), axis=[1, 2, 3])
    right = tf.reduce_sum(tf.square(x[:, :, 1:] - x[:, :, :-1]), axis=[1, 2, 3])
    return (down + right) / tf.cast(tf.reduce_prod(tf.shape(x)[1:]), tf.float32)
