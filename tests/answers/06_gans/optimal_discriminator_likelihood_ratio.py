# expect: fail optimal_discriminator
"""The likelihood ratio p_data / p_model instead of p_data / (p_data + p_model)."""


def optimal_discriminator(x, data_mean, data_std, model_mean, model_std):
    x = np.asarray(x, np.float64)
    log_data = -0.5 * ((x - data_mean) / data_std) ** 2 - np.log(data_std)
    log_model = -0.5 * ((x - model_mean) / model_std) ** 2 - np.log(model_std)
    return np.exp(np.clip(log_data - log_model, -700, 700))
