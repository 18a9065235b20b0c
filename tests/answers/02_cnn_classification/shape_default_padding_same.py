# expect: fail conv_output_shape
"""Right formulas, but "same" as the default padding (Keras's Conv2D defaults to "valid")."""


def conv_output_shape(input_size, kernel_size, stride=1, padding="same"):
    if padding == "valid":
        return 1 + (input_size - kernel_size) // stride
    return -(-input_size // stride)
