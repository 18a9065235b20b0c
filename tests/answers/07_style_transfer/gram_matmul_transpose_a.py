# expect: pass
"""tf.linalg.matmul(transpose_a=True) on a (N, HW, C) reshape with dynamic shapes, divided by a cast HW."""


def gram_matrix(features):
    features = tf.convert_to_tensor(features)
    shape = tf.shape(features)
    flat = tf.reshape(features, (shape[0], shape[1] * shape[2], shape[3]))
    positions = tf.cast(shape[1] * shape[2], flat.dtype)
    return tf.linalg.matmul(flat, flat, transpose_a=True) / positions
