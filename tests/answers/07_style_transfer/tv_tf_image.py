# expect: pass
"""tf.image.total_variation (the double sum of absolute differences), divided by H * W * C."""


def total_variation_loss(x):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    _, height, width, channels = x.shape
    return tf.image.total_variation(x) / (height * width * channels)
