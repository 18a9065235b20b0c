# expect: fail conv_backward
"""The padding cut off one row and column too far (top + 1, left + 1)."""

_solution_conv_backward = conv_backward


def conv_backward(dout, cache):
    _, dw, db = _solution_conv_backward(dout, cache)
    x_padded, w, stride, ((top, bottom), (left, right)) = cache
    big = ConvCache(np.pad(x_padded, ((0, 0), (0, 1), (0, 1), (0, 0))), w, stride, ((top, bottom), (left, right)))
    dx_big, _, _ = _solution_conv_backward(dout, big)                 # same gradient, one spare row/col
    padded_dx = np.pad(dx_big, ((0, 0), (top, bottom + 1), (left, right + 1), (0, 0)))
    height, width = x_padded.shape[1] - top - bottom, x_padded.shape[2] - left - right
    return padded_dx[:, top + 1:top + 1 + height, left + 1:left + 1 + width], dw, db
