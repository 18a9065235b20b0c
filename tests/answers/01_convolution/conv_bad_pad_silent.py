# expect: fail conv_forward_naive
"""padding_amounts treats every pad it does not know as "valid" (no zeros) instead of raising ValueError."""


def padding_amounts(size, kernel, stride, pad):
    if pad == "same":
        total = max((-(-size // stride) - 1) * stride + kernel - size, 0)
        return total // 2, total - total // 2
    if isinstance(pad, int):
        return pad, pad
    return 0, 0
