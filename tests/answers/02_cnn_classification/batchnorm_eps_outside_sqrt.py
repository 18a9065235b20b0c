# expect: fail batchnorm_forward
"""eps added to the standard deviation instead of the variance: (x - mean) / (sqrt(var) + eps)."""


def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.99, eps=1e-3, training=True):
    axes = tuple(range(x.ndim - 1))
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        mean, var = running_mean, running_var
    return gamma * (x - mean) / (np.sqrt(var) + eps) + beta, running_mean, running_var
