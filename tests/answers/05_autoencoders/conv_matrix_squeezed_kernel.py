# expect: fail conv_matrix
"""Squeezes the kernel first (to accept a (KH, KW, 1, 1) conv kernel): a 1-D kernel (1, K) loses its row axis."""


def conv_matrix(kernel, input_shape, stride):
    kernel = np.squeeze(np.asarray(kernel, dtype="float32"))
    kh, kw = kernel.shape
    h, w = input_shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    A = np.zeros((oh * ow, h * w), dtype="float32")
    for i in range(oh):
        for j in range(ow):
            window = np.zeros((h, w), dtype="float32")
            window[i * stride:i * stride + kh, j * stride:j * stride + kw] = kernel
            A[i * ow + j] = window.ravel()
    return A
