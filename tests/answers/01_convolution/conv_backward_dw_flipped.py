# expect: fail conv_backward
"""dw from the lecture's true-convolution formula dw = dy * flip(x), kept flipped for the cross-correlation."""

_solution_conv_backward = conv_backward


def conv_backward(dout, cache):
    dx, dw, db = _solution_conv_backward(dout, cache)
    return dx, dw[::-1, ::-1], db
