# expect: fail compose_kernels
# says: flipped against k1
"""Composed kernel as the full *correlation* of the kernels: k2 flipped against k1."""


def compose_kernels(k1, k2, stride=1):
    kernel_h2, kernel_w2, middle, filters = k2.shape
    dilated = np.zeros(((kernel_h2 - 1) * stride + 1, (kernel_w2 - 1) * stride + 1, middle, filters))
    dilated[::stride, ::stride] = k2
    images = np.pad(k1.transpose(2, 0, 1, 3),
                    ((0, 0), (dilated.shape[0] - 1,) * 2, (dilated.shape[1] - 1,) * 2, (0, 0)))
    full, _ = conv_forward(images, dilated, np.zeros(filters), 1, "valid")  # the kernel was not flipped
    return full.transpose(1, 2, 0, 3)
