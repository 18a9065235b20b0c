# expect: pass
"""0.5 * sum(mu^2 + expm1(log_var) - log_var): the same KL with tf.math.expm1 absorbing the - 1."""


def gaussian_kl(mu, log_var):
    mu = tf.convert_to_tensor(mu)
    log_var = tf.convert_to_tensor(log_var)
    return 0.5 * tf.reduce_sum(tf.square(mu) + tf.math.expm1(log_var) - log_var, axis=-1)
