# expect: pass
"""SAME through TensorFlow's padding total: 1 + (size + P - K) // S with P = max((ceil(size/S) - 1) S + K - size, 0)."""


def conv_output_shape(input_size, kernel_size, stride=1, padding="valid"):
    if padding not in {"valid", "same"}:
        raise ValueError("unknown padding")
    total = 0
    if padding == "same":
        total = max((-(-input_size // stride) - 1) * stride + kernel_size - input_size, 0)
    return 1 + (input_size + total - kernel_size) // stride
