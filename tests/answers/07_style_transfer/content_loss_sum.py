# expect: fail content_loss
"""The lecture's sum instead of the contract's mean."""


def content_loss(features, content_features, layer):
    return tf.reduce_sum(tf.square(tf.convert_to_tensor(features[layer]) - content_features[layer]), axis=[1, 2, 3])
