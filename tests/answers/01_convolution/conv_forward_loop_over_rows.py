# expect: fail conv_speed
"""Vectorised along each output row, but a Python loop over the rows: its work grows with H_out."""


def conv_forward(x, w, b, stride=1, pad="valid"):
    kernel_h, kernel_w, _, filters = w.shape
    pads = (padding_amounts(x.shape[1], kernel_h, stride, pad), padding_amounts(x.shape[2], kernel_w, stride, pad))
    x_padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    h_out = 1 + (x_padded.shape[1] - kernel_h) // stride
    rows = []
    for i in range(h_out):
        band = x_padded[:, i * stride:i * stride + kernel_h]
        rows.append(np.einsum("njcuv,uvcf->njf", sliding_window_view(band, (kernel_h, kernel_w), axis=(1, 2))[:, 0, ::stride], w) + b)
    return np.stack(rows, axis=1), ConvCache(x_padded, w, stride, pads)
