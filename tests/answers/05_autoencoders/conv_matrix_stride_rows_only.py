# expect: fail conv_matrix
"""The stride moves the window down the rows but the column offset steps by one."""


def conv_matrix(kernel, input_shape, stride):
    kernel = np.asarray(kernel)
    kh, kw = kernel.shape
    h, w = input_shape
    h_out, w_out = (h - kh) // stride + 1, (w - kw) // stride + 1
    A = np.zeros((h_out * w_out, h * w), dtype=kernel.dtype)
    for i in range(h_out):
        for j in range(w_out):
            image = np.zeros((h, w), dtype=kernel.dtype)
            image[i * stride:i * stride + kh, j:j + kw] = kernel
            A[i * w_out + j] = image.ravel()
    return A
