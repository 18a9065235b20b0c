# expect: fail conv_forward conv_backward
"""SAME as (K - 1) // 2 zeros on both sides: right for odd kernels with stride 1 only."""


def conv_forward(x, w, b, stride=1, pad="valid"):
    kernel_h, kernel_w, _, filters = w.shape
    if pad == "same":
        pads = ((kernel_h - 1) // 2, (kernel_h - 1) // 2), ((kernel_w - 1) // 2, (kernel_w - 1) // 2)
    else:
        pads = (padding_amounts(x.shape[1], kernel_h, stride, pad), padding_amounts(x.shape[2], kernel_w, stride, pad))
    x_padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    h_out = 1 + (x_padded.shape[1] - kernel_h) // stride
    w_out = 1 + (x_padded.shape[2] - kernel_w) // stride
    out = (im2col(x_padded, kernel_h, kernel_w, stride) @ w.reshape(-1, filters) + b).reshape(-1, h_out, w_out, filters)
    return out, ConvCache(x_padded, w, stride, pads)
