# expect: fail conv_matrix
"""Counts the output size with the stride but slides the windows one pixel at a time."""


def conv_matrix(kernel, input_shape, stride):
    kernel = np.asarray(kernel, dtype="float32")
    kh, kw = kernel.shape
    h, w = input_shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    A = np.zeros((oh * ow, h * w), dtype="float32")
    for i in range(oh):
        for j in range(ow):
            window = np.zeros((h, w), dtype="float32")
            window[i:i + kh, j:j + kw] = kernel
            A[i * ow + j] = window.ravel()
    return A
