# expect: fail conv_matrix
"""Returns A.T (the transposed convolution's matrix) instead of A."""


def conv_matrix(kernel, input_shape, stride):
    kernel = np.asarray(kernel)
    kh, kw = kernel.shape
    h, w = input_shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    A = np.zeros((oh * ow, h * w))
    for i in range(oh):
        for j in range(ow):
            window = np.zeros((h, w))
            window[i * stride:i * stride + kh, j * stride:j * stride + kw] = kernel
            A[i * ow + j] = window.ravel()
    return A.T
