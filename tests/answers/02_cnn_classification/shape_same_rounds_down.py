# expect: fail conv_output_shape
# says: rounds up
"""SAME as size // stride (rounds down)."""


def conv_output_shape(input_size, kernel_size, stride=1, padding="valid"):
    if padding == "valid":
        return 1 + (input_size - kernel_size) // stride
    return input_size // stride
