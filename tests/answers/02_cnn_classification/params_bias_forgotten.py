# expect: fail conv_params dense_params
# says: biases
"""Weights only, biases never counted."""


def conv_params(kernel_size, in_channels, filters, use_bias=True):
    return kernel_size * kernel_size * in_channels * filters


def dense_params(in_features, units, use_bias=True):
    return in_features * units
