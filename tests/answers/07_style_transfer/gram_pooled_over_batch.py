# expect: fail gram_matrix
"""The positions of every image of the batch pooled into one Gram matrix, repeated per image."""


def gram_matrix(features):
    features = tf.convert_to_tensor(features, dtype=tf.float32)
    batch, height, width, channels = features.shape
    flat = tf.reshape(features, (batch * height * width, channels))
    shared = tf.matmul(flat, flat, transpose_a=True) / (batch * height * width)
    return tf.repeat(shared[None], batch, axis=0)
