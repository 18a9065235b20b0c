# expect: fail conv_speed
"""The "vectorised" convolution is the naive loop, one np.sum per output value (right values)."""


def conv_forward(x, w, b, stride=1, pad="valid"):
    kernel_h, kernel_w = w.shape[:2]
    pads = (padding_amounts(x.shape[1], kernel_h, stride, pad), padding_amounts(x.shape[2], kernel_w, stride, pad))
    return conv_forward_naive(x, w, b, stride, pad), ConvCache(np.pad(x, ((0, 0), *pads, (0, 0))), w, stride, pads)
