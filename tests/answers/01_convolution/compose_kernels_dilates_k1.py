# expect: fail compose_kernels
"""Composed kernel that dilates k1 by the stride instead of k2 (the stride belongs to k1's layer, but it
spaces out k2's taps)."""


def compose_kernels(k1, k2, stride=1):
    kernel_h1, kernel_w1, channels, middle = k1.shape
    kernel_h2, kernel_w2, _, filters = k2.shape
    dilated = np.zeros(((kernel_h1 - 1) * stride + 1, (kernel_w1 - 1) * stride + 1, channels, middle))
    dilated[::stride, ::stride] = k1
    images = np.pad(dilated.transpose(2, 0, 1, 3), ((0, 0), (kernel_h2 - 1,) * 2, (kernel_w2 - 1,) * 2, (0, 0)))
    full, _ = conv_forward(images, k2[::-1, ::-1], np.zeros(filters), 1, "valid")
    return full.transpose(1, 2, 0, 3)
