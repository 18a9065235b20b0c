# expect: fail receptive_field
"""The jump multiplied by the stride *before* the layer's kernel is added."""


def receptive_field(layers):
    size, jump = 1, 1
    for kernel_size, stride in layers:
        jump *= stride
        size += (kernel_size - 1) * jump
    return size, jump
