# expect: fail conv_output_shape
"""The padding argument ignored: SAME computed as VALID."""


def conv_output_shape(input_size, kernel_size, stride=1, padding="valid"):
    return 1 + (input_size - kernel_size) // stride
