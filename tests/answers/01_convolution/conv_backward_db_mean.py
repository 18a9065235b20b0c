# expect: fail conv_backward
"""db averaged over the batch and positions instead of summed."""

_solution_conv_backward = conv_backward


def conv_backward(dout, cache):
    dx, dw, _ = _solution_conv_backward(dout, cache)
    return dx, dw, dout.mean(axis=(0, 1, 2))
