# expect: fail total_variation
"""The classic total variation (beta = 1) as the default, where the exercise says beta=2.0."""


def total_variation(x, beta=1.0):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    right = x[:, :-1, 1:, :] - x[:, :-1, :-1, :]
    down = x[:, 1:, :-1, :] - x[:, :-1, :-1, :]
    return tf.reduce_sum((tf.square(right) + tf.square(down)) ** (beta / 2), axis=[1, 2, 3])
