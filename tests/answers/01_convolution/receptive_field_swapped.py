# expect: fail receptive_field
"""Right recurrence, but returns (jump, size) instead of (size, jump)."""


def receptive_field(layers):
    size, jump = 1, 1
    for kernel_size, stride in layers:
        size += (kernel_size - 1) * jump
        jump *= stride
    return jump, size
