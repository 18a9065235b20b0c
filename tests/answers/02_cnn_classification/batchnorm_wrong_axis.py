# expect: fail batchnorm_forward
# says: batch axis only
"""Statistics over the batch axis only (axis=0), as for a Dense layer: one mean per position and channel."""


def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.99, eps=1e-3, training=True):
    if training:
        mean, var = x.mean(axis=0), x.var(axis=0)
        running_mean = momentum * running_mean + (1 - momentum) * mean.reshape(-1, mean.shape[-1]).mean(axis=0)
        running_var = momentum * running_var + (1 - momentum) * var.reshape(-1, var.shape[-1]).mean(axis=0)
        return gamma * (x - mean) / np.sqrt(var + eps) + beta, running_mean, running_var
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta, running_mean, running_var
