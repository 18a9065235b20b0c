# expect: fail compose_kernels
"""Composed kernel through conv_forward's int pad: K2H - 1 zeros on every side, right only for square k2."""


def compose_kernels(k1, k2, stride=1):
    kernel_h2, kernel_w2, middle, filters = k2.shape
    dilated = np.zeros(((kernel_h2 - 1) * stride + 1, (kernel_w2 - 1) * stride + 1, middle, filters))
    dilated[::stride, ::stride] = k2
    full, _ = conv_forward(k1.transpose(2, 0, 1, 3), dilated[::-1, ::-1], np.zeros(filters), 1,
                           dilated.shape[0] - 1)
    return full.transpose(1, 2, 0, 3)
