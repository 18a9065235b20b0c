# expect: pass
"""np.floor / np.ceil give floats (24.0): the value is what counts."""


def conv_output_shape(input_size, kernel_size, stride=1, padding="valid"):
    if padding not in ("valid", "same"):
        raise ValueError(padding)
    if padding == "valid":
        return np.floor((input_size - kernel_size) / stride) + 1
    return np.ceil(input_size / stride)
