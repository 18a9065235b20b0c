# expect: fail conv_forward_naive conv_forward
"""Right whenever pad is given, but both signatures default to pad "same" (the template's def lines say "valid")."""

_solution_conv_forward_naive, _solution_conv_forward = conv_forward_naive, conv_forward


def conv_forward_naive(x, w, b, stride=1, pad="same"):
    return _solution_conv_forward_naive(x, w, b, stride, pad)


def conv_forward(x, w, b, stride=1, pad="same"):
    return _solution_conv_forward(x, w, b, stride, pad)
