# expect: fail batchnorm_forward
"""PyTorch's defaults (momentum 0.1 read as Keras' 0.9, eps 1e-5) instead of Keras' 0.99 and 1e-3."""


def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.9, eps=1e-5, training=True):
    axes = tuple(range(x.ndim - 1))
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        mean, var = running_mean, running_var
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, running_mean, running_var
