# expect: pass
"""A tf.function around minus tf.nn.sigmoid_cross_entropy_with_logits, summed over a flattened view."""


@tf.function
def bernoulli_log_likelihood(x, logits):
    logits = tf.convert_to_tensor(logits, tf.float32)
    x = tf.cast(x, tf.float32)
    cross_entropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=x, logits=logits)
    return -tf.reduce_sum(tf.reshape(cross_entropy, [tf.shape(logits)[0], -1]), axis=1)
