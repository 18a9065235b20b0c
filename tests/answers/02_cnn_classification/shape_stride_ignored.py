# expect: fail conv_output_shape
"""The stride forgotten in VALID."""


def conv_output_shape(input_size, kernel_size, stride=1, padding="valid"):
    if padding == "valid":
        return input_size - kernel_size + 1
    return -(-input_size // stride)
