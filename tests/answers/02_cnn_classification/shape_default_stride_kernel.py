# expect: fail conv_output_shape
"""Right formulas, but the stride defaults to the kernel size (the rule of pooling layers,
MaxPooling2D(pool_size) strides by pool_size), not to 1 as Conv2D does."""


def conv_output_shape(input_size, kernel_size, stride=None, padding="valid"):
    stride = kernel_size if stride is None else stride
    if padding == "valid":
        return 1 + (input_size - kernel_size) // stride
    return -(-input_size // stride)
