# expect: pass
"""A tf.function computing in float64 and casting back to the input's dtype."""


@tf.function
def gaussian_kl(mu, log_var):
    dtype = tf.convert_to_tensor(mu).dtype
    mu64 = tf.cast(mu, tf.float64)
    log_var64 = tf.cast(log_var, tf.float64)
    kl = -0.5 * tf.reduce_sum(1.0 + log_var64 - mu64 ** 2 - tf.exp(log_var64), axis=-1)
    return tf.cast(kl, dtype)
