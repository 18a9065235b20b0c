# expect: fail batchnorm_forward
# says: batch's statistics used at inference
"""The batch's statistics in both modes: training=False only stops the running averages from moving."""


def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.99, eps=1e-3, training=True):
    axes = tuple(range(x.ndim - 1))
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    if training:
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    return gamma * (x - mean) / np.sqrt(var + eps) + beta, running_mean, running_var
