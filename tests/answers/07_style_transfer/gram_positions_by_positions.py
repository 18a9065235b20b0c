# expect: fail gram_matrix
"""F F^T instead of F^T F: an (H W, H W) matrix of positions by positions instead of channels by channels."""


def gram_matrix(features):
    features = tf.convert_to_tensor(features, dtype=tf.float32)
    shape = tf.shape(features)
    flat = tf.reshape(features, (shape[0], shape[1] * shape[2], shape[3]))
    return tf.matmul(flat, flat, transpose_b=True) / tf.cast(shape[1] * shape[2], tf.float32)
