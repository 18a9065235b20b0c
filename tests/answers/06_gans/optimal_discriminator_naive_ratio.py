# expect: fail optimal_discriminator
# says: work with log densities
"""p / (p + q) from the densities themselves: 0 / 0 far in the tails."""


def optimal_discriminator(x, data_mean, data_std, model_mean, model_std):
    x = np.asarray(x, np.float64)
    p = np.exp(-0.5 * ((x - data_mean) / data_std) ** 2) / (data_std * np.sqrt(2 * np.pi))
    q = np.exp(-0.5 * ((x - model_mean) / model_std) ** 2) / (model_std * np.sqrt(2 * np.pi))
    return p / (p + q)
