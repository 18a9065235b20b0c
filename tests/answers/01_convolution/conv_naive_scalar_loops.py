# expect: pass
"""The naive convolution with seven nested loops and scalar multiply-adds (no np.sum), padding by hand."""


def conv_forward_naive(x, w, b, stride=1, pad="valid"):
    n, height, width, channels = x.shape
    kernel_h, kernel_w, _, filters = w.shape
    top, bottom = padding_amounts(height, kernel_h, stride, pad)
    left, right = padding_amounts(width, kernel_w, stride, pad)
    padded = np.zeros((n, height + top + bottom, width + left + right, channels))
    padded[:, top:top + height, left:left + width, :] = x
    h_out = 1 + (padded.shape[1] - kernel_h) // stride
    w_out = 1 + (padded.shape[2] - kernel_w) // stride
    out = np.zeros((n, h_out, w_out, filters))
    for image in range(n):
        for i in range(h_out):
            for j in range(w_out):
                for f in range(filters):
                    total = b[f]
                    for u in range(kernel_h):
                        for v in range(kernel_w):
                            for c in range(channels):
                                total += padded[image, i * stride + u, j * stride + v, c] * w[u, v, c, f]
                    out[image, i, j, f] = total
    return out
