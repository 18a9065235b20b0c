# expect: fail conv_params dense_params
"""use_bias ignored: a bias per filter / unit even when use_bias is False."""


def conv_params(kernel_size, in_channels, filters, use_bias=True):
    return kernel_size * kernel_size * in_channels * filters + filters


def dense_params(in_features, units, use_bias=True):
    return in_features * units + units
