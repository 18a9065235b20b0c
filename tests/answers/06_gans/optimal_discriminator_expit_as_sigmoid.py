# expect: pass
"""A SciPy ufunc imported under another name (`from scipy.special import expit as sigmoid`) and
`from scipy.stats import norm` for the log densities."""
from scipy.special import expit as sigmoid
from scipy.stats import norm


def optimal_discriminator(x, data_mean, data_std, model_mean, model_std):
    return sigmoid(norm.logpdf(x, data_mean, data_std) - norm.logpdf(x, model_mean, model_std))
