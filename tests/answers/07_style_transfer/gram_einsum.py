# expect: pass
"""einsum over the positions, the count of positions from the static shape."""


def gram_matrix(features):
    features = tf.convert_to_tensor(features, dtype=tf.float32)
    _, height, width, _ = features.shape
    return tf.einsum("nhwc,nhwd->ncd", features, features) / (height * width)
