# expect: pass
"""keras.ops, the feature mismatch over flattened features."""


def inversion_loss(model, layer, x, target_features, lam, mu, beta=2.0):
    x = keras.ops.convert_to_tensor(x, dtype="float32")
    features = models.feature_extractor(model, layer)(x)
    count = x.shape[0]
    difference = keras.ops.reshape(features, (count, -1)) - keras.ops.reshape(target_features, (count, -1))
    return (keras.ops.sum(difference ** 2, axis=1) + lam * keras.ops.sum(keras.ops.reshape(x, (count, -1)) ** 2, axis=1)
            + mu * total_variation(x, beta))
