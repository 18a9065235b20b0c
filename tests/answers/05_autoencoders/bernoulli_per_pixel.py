# expect: fail bernoulli_log_likelihood
"""Returns the per-pixel terms, not their sum per example."""


def bernoulli_log_likelihood(x, logits):
    return -tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(x, tf.float32), logits=logits)
