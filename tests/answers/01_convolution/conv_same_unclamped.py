# expect: fail conv_forward_naive conv_forward conv_backward
"""SAME's total padding not clamped at 0: negative when the kernel is smaller than the stride."""


def padding_amounts(size, kernel, stride, pad):
    if pad == "valid":
        return 0, 0
    if pad == "same":
        out = -(-size // stride)
        total = (out - 1) * stride + kernel - size
        return total // 2, total - total // 2
    return int(pad), int(pad)
