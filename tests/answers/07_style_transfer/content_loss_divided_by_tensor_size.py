# expect: fail content_loss
"""Per-image sums divided by tf.size of the whole batch's maps: N H W C, so the values depend on the batch size."""


def content_loss(features, content_features, layer):
    squared = tf.square(tf.convert_to_tensor(features[layer], tf.float32)
                        - tf.convert_to_tensor(content_features[layer], tf.float32))
    return tf.reduce_sum(squared, axis=[1, 2, 3]) / tf.cast(tf.size(squared), tf.float32)
