# expect: pass
"""Everything in float64 NumPy (z handed to log_likelihood as a float64 array), np.logaddexp.reduce over the K draws."""


def importance_sampled_log_px(x, mu, log_var, log_likelihood, num_samples):
    mu = np.asarray(mu, dtype=np.float64)
    log_var = np.asarray(log_var, dtype=np.float64)
    generator = np.random.default_rng()
    log_weights = np.empty((num_samples, len(mu)))
    for k in range(num_samples):
        eps = generator.standard_normal(mu.shape)
        z = mu + np.exp(0.5 * log_var) * eps
        log_prior = -0.5 * np.sum(z ** 2 + np.log(2 * np.pi), axis=1)
        log_q = -0.5 * np.sum(eps ** 2 + log_var + np.log(2 * np.pi), axis=1)
        log_weights[k] = np.asarray(log_likelihood(x, z), dtype=np.float64) + log_prior - log_q
    return np.logaddexp.reduce(log_weights, axis=0) - np.log(num_samples)
