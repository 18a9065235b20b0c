# expect: pass
"""Builds A as a 4-D (H_out, W_out, H, W) array and writes the kernel into each window's slice."""


def conv_matrix(kernel, input_shape, stride):
    kernel = np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape
    h, w = input_shape
    h_out, w_out = (h - kh) // stride + 1, (w - kw) // stride + 1
    blocks = np.zeros((h_out, w_out, h, w))
    for i in range(h_out):
        for j in range(w_out):
            blocks[i, j, i * stride:i * stride + kh, j * stride:j * stride + kw] = kernel
    return blocks.reshape(h_out * w_out, h * w)
