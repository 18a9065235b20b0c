# expect: fail discriminator_loss
# says: softplus
"""log of the sigmoid: -inf once a logit rounds the sigmoid to 0 or 1."""


def discriminator_loss(real_logits, fake_logits):
    return -tf.reduce_mean(tf.math.log(tf.sigmoid(real_logits))) - tf.reduce_mean(tf.math.log(1 - tf.sigmoid(fake_logits)))
