# expect: fail conv_forward_naive
"""The output size uses the stride, but the windows start at (i, j) instead of (s i, s j)."""


def conv_forward_naive(x, w, b, stride=1, pad="valid"):
    n, height, width, _ = x.shape
    kernel_h, kernel_w, _, filters = w.shape
    top, bottom = padding_amounts(height, kernel_h, stride, pad)
    left, right = padding_amounts(width, kernel_w, stride, pad)
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    h_out = 1 + (height + top + bottom - kernel_h) // stride
    w_out = 1 + (width + left + right - kernel_w) // stride
    out = np.zeros((n, h_out, w_out, filters))
    for image in range(n):
        for i in range(h_out):
            for j in range(w_out):
                window = padded[image, i:i + kernel_h, j:j + kernel_w, :]
                for f in range(filters):
                    out[image, i, j, f] = np.sum(window * w[:, :, :, f]) + b[f]
    return out
