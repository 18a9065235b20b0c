# expect: fail conv_params dense_params
"""Right counts, but use_bias defaults to False (Keras layers have a bias unless told otherwise)."""


def conv_params(kernel_size, in_channels, filters, use_bias=False):
    return kernel_size * kernel_size * in_channels * filters + (filters if use_bias else 0)


def dense_params(in_features, units, use_bias=False):
    return in_features * units + (units if use_bias else 0)
