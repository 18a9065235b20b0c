# expect: fail total_variation
"""Always ||grad x||^2 (beta = 2), whatever `beta` says."""


def total_variation(x, beta=2.0):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    right = x[:, :-1, 1:, :] - x[:, :-1, :-1, :]
    down = x[:, 1:, :-1, :] - x[:, :-1, :-1, :]
    return tf.reduce_sum(tf.square(right) + tf.square(down), axis=[1, 2, 3])
