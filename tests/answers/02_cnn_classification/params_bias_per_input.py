# expect: fail conv_params dense_params
"""One bias per input channel / feature instead of per filter / unit."""


def conv_params(kernel_size, in_channels, filters, use_bias=True):
    return kernel_size * kernel_size * in_channels * filters + (in_channels if use_bias else 0)


def dense_params(in_features, units, use_bias=True):
    return in_features * units + (in_features if use_bias else 0)
