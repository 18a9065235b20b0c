# expect: pass
"""The receptive field computed from the top: r_{l-1} = s_l * r_l + (k_l - s_l), starting from r_L = 1."""


def receptive_field(layers):
    size, jump = 1, 1
    for kernel_size, stride in reversed(list(layers)):
        size = stride * size + (kernel_size - stride)
        jump *= stride
    return size, jump
