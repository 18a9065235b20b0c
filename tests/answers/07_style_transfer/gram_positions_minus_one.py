# expect: fail gram_matrix
"""Divides by H W - 1 (the unbiased covariance habit) instead of H W."""


def gram_matrix(features):
    features = tf.convert_to_tensor(features, dtype=tf.float32)
    n, h, w, c = features.shape
    flat = tf.reshape(features, (-1, h * w, c))
    return tf.matmul(flat, flat, transpose_a=True) / (h * w - 1)
