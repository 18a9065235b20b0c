# expect: pass
"""conv_forward by einsum over a sliding-window view (no im2col reshape, no matrix product)."""


def conv_forward(x, w, b, stride=1, pad="valid"):
    kernel_h, kernel_w, _, _ = w.shape
    pads = (padding_amounts(x.shape[1], kernel_h, stride, pad), padding_amounts(x.shape[2], kernel_w, stride, pad))
    x_padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    windows = sliding_window_view(x_padded, (kernel_h, kernel_w), axis=(1, 2))[:, ::stride, ::stride]
    out = np.einsum("nijcuv,uvcf->nijf", windows, w) + b
    return out, ConvCache(x_padded, w, stride, pads)
