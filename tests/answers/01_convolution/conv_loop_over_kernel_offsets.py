# expect: pass
"""Vectorised over positions, a loop over the KH*KW kernel offsets (a shifted slice times w[u, v])."""


def conv_forward(x, w, b, stride=1, pad="valid"):
    kernel_h, kernel_w, _, filters = w.shape
    pads = (padding_amounts(x.shape[1], kernel_h, stride, pad), padding_amounts(x.shape[2], kernel_w, stride, pad))
    x_padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    h_out = 1 + (x_padded.shape[1] - kernel_h) // stride
    w_out = 1 + (x_padded.shape[2] - kernel_w) // stride
    out = np.zeros((x.shape[0], h_out, w_out, filters)) + b
    for u in range(kernel_h):
        for v in range(kernel_w):
            window = x_padded[:, u:u + stride * (h_out - 1) + 1:stride, v:v + stride * (w_out - 1) + 1:stride, :]
            out += window @ w[u, v]
    return out, ConvCache(x_padded, w, stride, pads)
