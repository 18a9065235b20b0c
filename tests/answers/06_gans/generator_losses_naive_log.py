# expect: fail saturating_generator_loss non_saturating_generator_loss
# says: softplus
"""log of a sigmoid: -inf (or inf) where the sigmoid rounds to 0 or 1."""


def saturating_generator_loss(fake_logits):
    return tf.reduce_mean(tf.math.log(1 - tf.sigmoid(fake_logits)))


def non_saturating_generator_loss(fake_logits):
    return -tf.reduce_mean(tf.math.log(tf.sigmoid(fake_logits)))
