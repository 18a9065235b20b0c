# expect: pass
"""The mean over positions of each position's outer product F_k F_k^T, by broadcasting."""


def gram_matrix(features):
    features = tf.convert_to_tensor(features, dtype=tf.float32)
    outer = features[..., :, None] * features[..., None, :]      # (N, H, W, C, C)
    return tf.reduce_mean(outer, axis=[1, 2])
