# expect: fail total_variation_loss
# says: divided by H W C
"""The prose's "mean absolute difference" read per direction: each sum divided by its own count of pairs."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    down = tf.reduce_mean(tf.abs(x[:, 1:] - x[:, :-1]), axis=[1, 2, 3])
    right = tf.reduce_mean(tf.abs(x[:, :, 1:] - x[:, :, :-1]), axis=[1, 2, 3])
    return down + right
