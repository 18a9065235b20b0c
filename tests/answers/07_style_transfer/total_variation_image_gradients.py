# expect: pass
"""tf.image.image_gradients (zero in the last row and column), absolute values summed, over H W C."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    dy, dx = tf.image.image_gradients(x)
    size = tf.cast(tf.reduce_prod(tf.shape(x)[1:]), tf.float32)
    return tf.reduce_sum(tf.abs(dy) + tf.abs(dx), axis=[1, 2, 3]) / size
