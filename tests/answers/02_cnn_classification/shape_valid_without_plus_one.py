# expect: fail conv_output_shape
"""VALID without the + 1."""


def conv_output_shape(input_size, kernel_size, stride=1, padding="valid"):
    if padding == "valid":
        return (input_size - kernel_size) // stride
    return -(-input_size // stride)
