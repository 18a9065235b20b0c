# expect: fail conv_output_shape
"""True division where floor division is needed: 6.5 for (13 - 2) / 2 + 1."""


def conv_output_shape(input_size, kernel_size, stride=1, padding="valid"):
    if padding == "valid":
        return (input_size - kernel_size) / stride + 1
    return -(-input_size // stride)
