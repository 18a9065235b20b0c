# expect: fail content_loss
"""The squared difference summed over the channels and averaged over the positions only."""


def content_loss(features, content_features, layer):
    squared = tf.square(tf.convert_to_tensor(features[layer]) - tf.convert_to_tensor(content_features[layer]))
    return tf.reduce_mean(tf.reduce_sum(squared, axis=-1), axis=[1, 2])
