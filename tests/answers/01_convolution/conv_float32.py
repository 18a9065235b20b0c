# expect: fail conv_forward conv_backward conv_speed
"""Everything cast to float32 "to be faster" (the notebook asks for float64)."""

_solution_conv_forward = conv_forward


def conv_forward(x, w, b, stride=1, pad="valid"):
    return _solution_conv_forward(x.astype(np.float32), w.astype(np.float32), b.astype(np.float32), stride, pad)
