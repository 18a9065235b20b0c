# expect: fail conv_forward conv_backward conv_speed
"""im2col over every window position: the stride is never applied (stride-1 output, whatever the stride)."""

_solution_conv_forward = conv_forward


def conv_forward(x, w, b, stride=1, pad="valid"):
    out, cache = _solution_conv_forward(x, w, b, 1, pad)
    return out, cache
