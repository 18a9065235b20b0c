# expect: fail conv_matrix
"""Takes kernel and input to be square: the kernel's size and the input's size from their first axis."""


def conv_matrix(kernel, input_shape, stride):
    kernel = np.asarray(kernel, dtype="float32")
    k = kernel.shape[0]
    n = input_shape[0]
    out = (n - k) // stride + 1
    A = np.zeros((out * out, n * n), dtype="float32")
    for i in range(out):
        for j in range(out):
            window = np.zeros((n, n), dtype="float32")
            window[i * stride:i * stride + k, j * stride:j * stride + k] = kernel[:k, :k]
            A[i * out + j] = window.ravel()
    return A
