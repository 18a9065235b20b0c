# expect: fail batchnorm_forward
"""Inference normalises with the running averages, but still moves them towards the batch's statistics."""


def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.99, eps=1e-3, training=True):
    axes = tuple(range(x.ndim - 1))
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    new_mean = momentum * running_mean + (1 - momentum) * mean
    new_var = momentum * running_var + (1 - momentum) * var
    if not training:
        mean, var = running_mean, running_var
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, new_mean, new_var
