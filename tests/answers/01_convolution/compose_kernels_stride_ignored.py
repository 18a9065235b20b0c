# expect: fail compose_kernels
"""Composed kernel that ignores the stride: the full convolution of k1 and k2, k2 not dilated."""


def compose_kernels(k1, k2, stride=1):
    kernel_h2, kernel_w2, _, filters = k2.shape
    images = np.pad(k1.transpose(2, 0, 1, 3), ((0, 0), (kernel_h2 - 1,) * 2, (kernel_w2 - 1,) * 2, (0, 0)))
    full, _ = conv_forward(images, k2[::-1, ::-1], np.zeros(filters), 1, "valid")
    return full.transpose(1, 2, 0, 3)
