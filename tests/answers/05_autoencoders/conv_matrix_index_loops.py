# expect: pass
"""Four nested loops over output pixels and kernel taps, writing single entries."""


def conv_matrix(kernel, input_shape, stride):
    kernel = np.asarray(kernel)
    kh, kw = kernel.shape
    h, w = input_shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    A = np.zeros((oh * ow, h * w))
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    A[i * ow + j, (i * stride + a) * w + (j * stride + b)] = kernel[a, b]
    return A
