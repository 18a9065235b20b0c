# expect: fail conv_forward_naive
"""Strided SAME done as "stride-1 SAME, then keep every stride-th output": one pixel off when the total is odd."""


def conv_forward_naive(x, w, b, stride=1, pad="valid"):
    if pad == "same":
        return conv_forward(x, w, b, 1, "same")[0][:, ::stride, ::stride]
    return conv_forward(x, w, b, stride, pad)[0]
