# expect: fail gaussian_kl
"""NumPy: right values, but the exercise asks for TensorFlow operations and no gradient reaches mu or
log_var, so the VAE's train_step could not differentiate the KL (issue 27)."""


def gaussian_kl(mu, log_var):
    mu, log_var = np.asarray(mu, dtype="float64"), np.asarray(log_var, dtype="float64")
    return 0.5 * np.sum(np.exp(log_var) + mu ** 2 - 1.0 - log_var, axis=1)
