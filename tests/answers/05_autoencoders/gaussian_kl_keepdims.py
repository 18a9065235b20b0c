# expect: fail gaussian_kl
"""The sum over the latent dimensions with keepdims=True: shape (N, 1), not (N,)."""


def gaussian_kl(mu, log_var):
    return -0.5 * tf.reduce_sum(1.0 + log_var - tf.square(mu) - tf.exp(log_var), axis=-1, keepdims=True)
