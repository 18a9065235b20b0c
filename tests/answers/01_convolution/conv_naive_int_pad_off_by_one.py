# expect: fail conv_forward_naive
"""The naive loop with an int pad p applied as p + 1 zeros (a bound written with <=)."""

_solution_conv_forward_naive = conv_forward_naive


def conv_forward_naive(x, w, b, stride=1, pad="valid"):
    return _solution_conv_forward_naive(x, w, b, stride, pad + 1 if isinstance(pad, int) else pad)
