# expect: fail conv_speed
"""im2col at stride 1; at a larger stride the windows are picked output row by output row in a Python loop."""


def conv_forward(x, w, b, stride=1, pad="valid"):
    n, height, width, _ = x.shape
    kernel_h, kernel_w, _, filters = w.shape
    pads = (padding_amounts(height, kernel_h, stride, pad), padding_amounts(width, kernel_w, stride, pad))
    x_padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    windows = sliding_window_view(x_padded, (kernel_h, kernel_w), axis=(1, 2))
    if stride > 1:
        picked = []
        for i in range(0, windows.shape[1], stride):
            picked.append(windows[:, i, ::stride])
        windows = np.stack(picked, axis=1)
    _, h_out, w_out, channels = windows.shape[:4]
    patches = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * h_out * w_out, kernel_h * kernel_w * channels)
    out = (patches @ w.reshape(-1, filters) + b).reshape(n, h_out, w_out, filters)
    return out, ConvCache(x_padded, w, stride, pads)
