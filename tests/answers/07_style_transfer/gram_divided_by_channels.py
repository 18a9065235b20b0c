# expect: fail gram_matrix
"""Divides by the number of channels C instead of the number of positions H W."""


def gram_matrix(features):
    features = tf.convert_to_tensor(features, dtype=tf.float32)
    channels = features.shape[-1]
    return tf.einsum("nhwc,nhwd->ncd", features, features) / channels
