# expect: fail inversion_loss invert_representation
"""The objective computed in NumPy: right values, but no gradient flows back to x."""


def inversion_loss(model, layer, x, target_features, lam, mu, beta=2.0):
    x = np.asarray(x, dtype=np.float64)
    features = np.asarray(models.feature_extractor(model, layer)(x.astype("float32")), dtype=np.float64)
    mismatch = np.sum((features - target_features) ** 2, axis=tuple(range(1, features.ndim)))
    return tf.constant(mismatch + lam * np.sum(x ** 2, axis=(1, 2, 3)) + mu * np.asarray(total_variation(x, beta)))
