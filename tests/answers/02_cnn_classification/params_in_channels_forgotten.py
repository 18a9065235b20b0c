# expect: fail conv_params
# says: input channels
"""Each filter counted as K x K, as if it saw one channel."""


def conv_params(kernel_size, in_channels, filters, use_bias=True):
    return kernel_size * kernel_size * filters + (filters if use_bias else 0)
