# expect: pass
"""A match statement, and an error class of its own derived from ValueError for any other padding."""


class PaddingError(ValueError):
    """A padding Keras does not know."""


def conv_output_shape(input_size, kernel_size, stride=1, padding="valid"):
    match padding:
        case "valid":
            return (input_size - kernel_size) // stride + 1
        case "same":
            return (input_size + stride - 1) // stride
        case _:
            raise PaddingError(f"unknown padding {padding!r}")
