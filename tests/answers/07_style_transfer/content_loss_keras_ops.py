# expect: pass
"""keras.ops, the mean over the flattened maps."""


def content_loss(features, content_features, layer):
    found = keras.ops.convert_to_tensor(features[layer], dtype="float32")
    target = keras.ops.convert_to_tensor(content_features[layer], dtype="float32")
    count = keras.ops.shape(found)[0]
    return keras.ops.mean(keras.ops.reshape((found - target) ** 2, (count, -1)), axis=1)
