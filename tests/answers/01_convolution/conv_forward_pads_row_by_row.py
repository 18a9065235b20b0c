# expect: fail conv_speed
"""Vectorised im2col, but the zero padding is written into a bigger array one input row at a time."""


def conv_forward(x, w, b, stride=1, pad="valid"):
    n, height, width, channels = x.shape
    kernel_h, kernel_w, _, filters = w.shape
    (top, bottom), (left, right) = pads = (padding_amounts(height, kernel_h, stride, pad),
                                           padding_amounts(width, kernel_w, stride, pad))
    x_padded = x
    if top or bottom or left or right:
        x_padded = np.zeros((n, height + top + bottom, width + left + right, channels))
        for row in range(height):
            x_padded[:, top + row, left:left + width] = x[:, row]
    patches = im2col(x_padded, kernel_h, kernel_w, stride)
    h_out = 1 + (x_padded.shape[1] - kernel_h) // stride
    w_out = 1 + (x_padded.shape[2] - kernel_w) // stride
    out = (patches @ w.reshape(-1, filters) + b).reshape(n, h_out, w_out, filters)
    return out, ConvCache(x_padded, w, stride, pads)
