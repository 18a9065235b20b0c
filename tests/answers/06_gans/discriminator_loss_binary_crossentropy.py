# expect: pass
"""Two Keras binary cross-entropies on the logits, labels 1 for real and 0 for fake."""


def discriminator_loss(real_logits, fake_logits):
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    return bce(tf.ones_like(real_logits), real_logits) + bce(tf.zeros_like(fake_logits), fake_logits)
