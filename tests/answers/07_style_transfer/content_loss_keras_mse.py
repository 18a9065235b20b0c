# expect: pass
"""keras.losses.mean_squared_error (a mean over the channels) then a mean over the positions."""


def content_loss(features, content_features, layer):
    per_position = keras.losses.mean_squared_error(content_features[layer], features[layer])   # (N, H, W)
    return tf.reduce_mean(per_position, axis=[1, 2])
