# expect: fail inversion_loss
"""||phi(x) - phi_0|| instead of its square."""


def inversion_loss(model, layer, x, target_features, lam, mu, beta=2.0):
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    features = models.feature_extractor(model, layer)(x, training=False)
    count = tf.shape(x)[0]
    mismatch = tf.norm(tf.reshape(features - target_features, (count, -1)), axis=1)
    return mismatch + lam * tf.reduce_sum(tf.square(x), axis=[1, 2, 3]) + mu * total_variation(x, beta)
