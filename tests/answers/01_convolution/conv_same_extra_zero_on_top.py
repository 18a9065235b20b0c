# expect: fail conv_forward_naive conv_forward conv_backward
# says: odd SAME zero on the wrong side
"""SAME with the odd zero before (top/left) instead of after, as some frameworks do."""


def padding_amounts(size, kernel, stride, pad):
    if pad == "valid":
        return 0, 0
    if pad == "same":
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
        return total - total // 2, total // 2
    return int(pad), int(pad)
