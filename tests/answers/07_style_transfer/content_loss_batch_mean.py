# expect: fail content_loss
"""tf.reduce_mean without an axis: one number for the whole batch instead of one value per image."""


def content_loss(features, content_features, layer):
    return tf.reduce_mean(tf.square(tf.convert_to_tensor(features[layer]) - content_features[layer]))
