# expect: pass
"""math.floor / math.ceil instead of integer division."""
import math


def conv_output_shape(input_size, kernel_size, stride=1, padding="valid"):
    if padding == "valid":
        return math.floor((input_size - kernel_size) / stride) + 1
    if padding == "same":
        return math.ceil(input_size / stride)
    raise ValueError(f"padding must be 'valid' or 'same', not {padding!r}")
