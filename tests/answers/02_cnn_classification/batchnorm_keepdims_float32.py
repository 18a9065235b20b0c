# expect: pass
"""Sums written out with keepdims over a (M, C) view, in float32 (as a GPU would compute it)."""


def batchnorm_forward(x, gamma, beta, running_mean, running_var, momentum=0.99, eps=1e-3, training=True):
    flat = np.asarray(x, dtype=np.float32).reshape(-1, x.shape[-1])
    if training:
        mean = flat.sum(axis=0, keepdims=True) / len(flat)
        var = ((flat - mean) ** 2).sum(axis=0, keepdims=True) / len(flat)
        new_mean = momentum * running_mean + (1 - momentum) * mean[0]
        new_var = momentum * running_var + (1 - momentum) * var[0]
    else:
        mean, var = running_mean[None, :], running_var[None, :]
        new_mean, new_var = running_mean.copy(), running_var.copy()
    out = (flat - mean) / np.sqrt(var + eps) * gamma + beta
    return out.reshape(x.shape), new_mean, new_var
