# expect: fail sample_latent
# says: reparameterisation trick
"""Draws z with NumPy from N(mu, sigma^2): no reparameterisation, no gradient."""


def sample_latent(mu, log_var):
    return np.random.normal(np.asarray(mu), np.exp(0.5 * np.asarray(log_var))).astype("float32")
