# expect: pass
"""scipy.stats log densities and scipy.special.expit."""
from scipy import special, stats


def optimal_discriminator(x, data_mean, data_std, model_mean, model_std):
    return special.expit(stats.norm.logpdf(x, data_mean, data_std) - stats.norm.logpdf(x, model_mean, model_std))
