# expect: pass
"""Computed in float64 (einsum over the positions) and cast back to float32."""


def gram_matrix(features):
    maps = tf.cast(tf.convert_to_tensor(features), tf.float64)
    positions = tf.cast(tf.shape(maps)[1] * tf.shape(maps)[2], tf.float64)
    return tf.cast(tf.einsum("nijc,nijd->ncd", maps, maps) / positions, tf.float32)
