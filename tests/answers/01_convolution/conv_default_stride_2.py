# expect: fail conv_forward_naive conv_forward
"""Right whenever stride is given, but both signatures default to stride 2 (the template's def lines say 1)."""

_solution_conv_forward_naive, _solution_conv_forward = conv_forward_naive, conv_forward


def conv_forward_naive(x, w, b, stride=2, pad="valid"):
    return _solution_conv_forward_naive(x, w, b, stride, pad)


def conv_forward(x, w, b, stride=2, pad="valid"):
    return _solution_conv_forward(x, w, b, stride, pad)
