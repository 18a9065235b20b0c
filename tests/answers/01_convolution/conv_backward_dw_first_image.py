# expect: fail conv_backward
"""dw from the first image's windows only: forgot to sum over the batch."""

_solution_conv_backward = conv_backward


def conv_backward(dout, cache):
    dx, _, db = _solution_conv_backward(dout, cache)
    first = ConvCache(cache.x_padded[:1], cache.w, cache.stride, cache.pads)
    _, dw, _ = _solution_conv_backward(dout[:1], first)
    return dx, dw, db
