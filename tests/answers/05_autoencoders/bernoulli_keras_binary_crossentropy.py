# expect: pass
"""Keras' binary cross-entropy is a mean over the last axis: times the pixel count, negated."""


def bernoulli_log_likelihood(x, logits):
    n = tf.shape(x)[0]
    flat_x, flat_logits = tf.reshape(tf.cast(x, tf.float32), (n, -1)), tf.reshape(logits, (n, -1))
    pixels = tf.cast(tf.shape(flat_x)[1], tf.float32)
    return -pixels * keras.losses.binary_crossentropy(flat_x, flat_logits, from_logits=True)
