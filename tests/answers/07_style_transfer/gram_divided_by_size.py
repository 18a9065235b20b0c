# expect: fail gram_matrix
"""Divided by H * W * C (the size of the feature maps) instead of the number of positions."""


def gram_matrix(features):
    features = tf.convert_to_tensor(features, dtype=tf.float32)
    _, height, width, channels = features.shape
    return tf.einsum("nhwc,nhwd->ncd", features, features) / (height * width * channels)
