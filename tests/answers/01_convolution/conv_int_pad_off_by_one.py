# expect: fail conv_forward conv_backward
"""An int pad p applied as p + 1 zeros (a loop bound written with <=)."""

_solution_conv_forward = conv_forward


def conv_forward(x, w, b, stride=1, pad="valid"):
    return _solution_conv_forward(x, w, b, stride, pad + 1 if isinstance(pad, int) else pad)
