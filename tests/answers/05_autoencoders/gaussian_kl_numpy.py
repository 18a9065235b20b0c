# expect: pass
"""NumPy (right values; it could not train a VAE, but this check is about the values)."""


def gaussian_kl(mu, log_var):
    mu, log_var = np.asarray(mu, dtype="float64"), np.asarray(log_var, dtype="float64")
    return 0.5 * np.sum(np.exp(log_var) + mu ** 2 - 1.0 - log_var, axis=1)
