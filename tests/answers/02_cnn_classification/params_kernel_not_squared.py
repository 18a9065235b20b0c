# expect: fail conv_params
"""The kernel counted once, K * C * F, as if it were K x 1 (the exercise's kernels are square)."""


def conv_params(kernel_size, in_channels, filters, use_bias=True):
    return kernel_size * in_channels * filters + (filters if use_bias else 0)
