# expect: fail conv_output_shape
"""SAME as (K - 1) // 2 zeros on each side: right for odd kernels, one short for even ones."""


def conv_output_shape(input_size, kernel_size, stride=1, padding="valid"):
    pad = (kernel_size - 1) // 2 if padding == "same" else 0
    return 1 + (input_size + 2 * pad - kernel_size) // stride
