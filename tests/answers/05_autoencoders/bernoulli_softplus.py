# expect: pass
"""x * l - softplus(l), summed with keras.ops."""


def bernoulli_log_likelihood(x, logits):
    x = keras.ops.cast(x, "float32")
    per_pixel = x * logits - keras.ops.softplus(logits)
    return keras.ops.sum(keras.ops.reshape(per_pixel, (keras.ops.shape(x)[0], -1)), axis=1)
