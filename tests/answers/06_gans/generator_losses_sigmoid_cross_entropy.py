# expect: pass
"""Both generator losses from tf.nn.sigmoid_cross_entropy_with_logits."""


def saturating_generator_loss(fake_logits):
    return -tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros_like(fake_logits), logits=fake_logits))


def non_saturating_generator_loss(fake_logits):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(fake_logits), logits=fake_logits))
