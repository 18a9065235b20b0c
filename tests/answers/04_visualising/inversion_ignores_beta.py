# expect: fail inversion_loss
"""The smoothness term always total_variation(x) (beta = 2), whatever `beta` says (it passed while no
hidden case gave a beta)."""


def inversion_loss(model, layer, x, target_features, lam, mu, beta=2.0):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    features = models.feature_extractor(model, layer)(x, training=False)
    mismatch = tf.reduce_sum(tf.square(features - target_features), axis=list(range(1, len(features.shape))))
    return mismatch + lam * tf.reduce_sum(tf.square(x), axis=[1, 2, 3]) + mu * total_variation(x)
