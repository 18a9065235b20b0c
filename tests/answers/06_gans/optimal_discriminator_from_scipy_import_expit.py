# expect: pass
"""`from scipy.special import expit`, the sigmoid of the log-density difference (issue 27: this import
form was pickled as the notebook's `__mp_main__.expit` and the grader could not load it)."""
from scipy.special import expit


def optimal_discriminator(x, data_mean, data_std, model_mean, model_std):
    x = np.asarray(x, dtype=np.float64)

    def log_density(mean, std):
        return -0.5 * ((x - mean) / std) ** 2 - np.log(std)

    return expit(log_density(data_mean, data_std) - log_density(model_mean, model_std))
