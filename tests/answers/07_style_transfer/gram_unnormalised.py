# expect: fail gram_matrix
# says: number of positions
"""The lecture's C = sum_k u_ik u_jk, left unnormalised."""


def gram_matrix(features):
    features = tf.convert_to_tensor(features, dtype=tf.float32)
    return tf.einsum("nhwc,nhwd->ncd", features, features)
