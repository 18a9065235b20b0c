# expect: fail gram_matrix
"""The sum taken over the batch axis too: one (C, C) matrix for the whole batch."""


def gram_matrix(features):
    features = tf.convert_to_tensor(features, dtype=tf.float32)
    _, height, width, _ = features.shape
    return tf.einsum("nhwc,nhwd->cd", features, features) / (height * width)
