# expect: fail receptive_field
# says: jump
"""Kernels added up as if every stride were 1."""


def receptive_field(layers):
    return 1 + sum(kernel_size - 1 for kernel_size, _ in layers), 1
