# expect: fail content_loss
# says: the layer named by `layer`
"""The deepest layer of the dict (its last entry) instead of the one named."""


def content_loss(features, content_features, layer):
    deepest = list(features)[-1]
    return tf.reduce_mean(tf.square(tf.convert_to_tensor(features[deepest]) - content_features[deepest]), axis=[1, 2, 3])
