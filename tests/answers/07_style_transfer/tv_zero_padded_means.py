# expect: pass
"""The differences zero-padded back to (H, W), then one mean each: the same as dividing both sums by H * W * C."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    down = tf.pad(tf.abs(x[:, 1:] - x[:, :-1]), [[0, 0], [0, 1], [0, 0], [0, 0]])
    right = tf.pad(tf.abs(x[:, :, 1:] - x[:, :, :-1]), [[0, 0], [0, 0], [0, 1], [0, 0]])
    return tf.reduce_mean(down, axis=[1, 2, 3]) + tf.reduce_mean(right, axis=[1, 2, 3])
