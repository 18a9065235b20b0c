# expect: fail conv_output_shape
"""Right sizes, but every padding that is not "valid" is treated as "same": "full" gives a number
instead of the ValueError the exercise asks for."""


def conv_output_shape(input_size, kernel_size, stride=1, padding="valid"):
    if padding == "valid":
        return 1 + (input_size - kernel_size) // stride
    return -(-input_size // stride)
