# expect: pass
"""Optional arguments made keyword-only, and the bias as int(use_bias) * filters."""


def conv_params(kernel_size, in_channels, filters, *, use_bias=True):
    return kernel_size ** 2 * in_channels * filters + int(use_bias) * filters


def dense_params(in_features, units, *, use_bias=True):
    return (in_features + int(use_bias)) * units
