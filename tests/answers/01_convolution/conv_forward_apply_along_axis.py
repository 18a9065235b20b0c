# expect: fail conv_speed
"""np.apply_along_axis over the patch matrix: one Python call of the lambda per output position."""


def conv_forward(x, w, b, stride=1, pad="valid"):
    kernel_h, kernel_w, channels, filters = w.shape
    pads = (padding_amounts(x.shape[1], kernel_h, stride, pad), padding_amounts(x.shape[2], kernel_w, stride, pad))
    x_padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    weights = w.reshape(-1, filters)
    out = np.apply_along_axis(lambda patch: patch @ weights + b, 1, im2col(x_padded, kernel_h, kernel_w, stride))
    h_out = 1 + (x_padded.shape[1] - kernel_h) // stride
    return out.reshape(x.shape[0], h_out, -1, filters), ConvCache(x_padded, w, stride, pads)
