# expect: pass
"""Through sigma = exp(log_var / 2): KL = sum(log(1/sigma) + (sigma^2 + mu^2) / 2 - 1/2)."""


def gaussian_kl(mu, log_var):
    sigma = tf.exp(0.5 * log_var)
    return tf.reduce_sum(-tf.math.log(sigma) + 0.5 * (tf.square(sigma) + tf.square(mu)) - 0.5, axis=-1)
