# expect: fail optimal_discriminator
"""Reads data_std and model_std as variances: divides by std where the standard deviation is sqrt(std)."""


def optimal_discriminator(x, data_mean, data_std, model_mean, model_std):
    x = np.asarray(x, dtype=np.float64)

    def log_density(mean, variance):
        return -0.5 * (x - mean) ** 2 / variance - 0.5 * np.log(2 * np.pi * variance)

    log_odds = log_density(data_mean, data_std) - log_density(model_mean, model_std)
    return 0.5 * (1 + np.tanh(0.5 * log_odds))
