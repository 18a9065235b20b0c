# expect: fail conv_matrix
"""Rounds the output size up (SAME-style) and lets the last windows run off the input."""


def conv_matrix(kernel, input_shape, stride):
    kernel = np.asarray(kernel)
    kh, kw = kernel.shape
    h, w = input_shape
    oh, ow = -(-(h - kh) // stride) + 1, -(-(w - kw) // stride) + 1
    A = np.zeros((oh * ow, h * w))
    for i in range(oh):
        for j in range(ow):
            window = np.zeros((h + kh, w + kw))
            window[i * stride:i * stride + kh, j * stride:j * stride + kw] = kernel
            A[i * ow + j] = window[:h, :w].ravel()
    return A
