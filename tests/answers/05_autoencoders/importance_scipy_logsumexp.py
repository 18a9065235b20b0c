# expect: pass
"""NumPy noise and scipy.special.logsumexp over the stacked log weights."""


def importance_sampled_log_px(x, mu, log_var, log_likelihood, num_samples):
    from scipy.special import logsumexp
    mu, log_var = np.asarray(mu, "float64"), np.asarray(log_var, "float64")
    eps = np.random.default_rng(0).normal(size=(num_samples, *mu.shape))
    z = mu + np.exp(0.5 * log_var) * eps
    log_px_z = np.stack([np.asarray(log_likelihood(x, z_k.astype("float32"))) for z_k in z])
    log_prior = -0.5 * np.sum(z ** 2 + np.log(2 * np.pi), axis=-1)
    log_q = -0.5 * np.sum(eps ** 2 + log_var + np.log(2 * np.pi), axis=-1)
    return logsumexp(log_px_z + log_prior - log_q, axis=0) - np.log(num_samples)
