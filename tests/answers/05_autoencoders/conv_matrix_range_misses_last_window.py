# expect: fail conv_matrix
"""Window starts from range(0, H - KH, s): the last window is lost when (H - KH) is a multiple of s."""


def conv_matrix(kernel, input_shape, stride):
    kernel = np.asarray(kernel)
    kh, kw = kernel.shape
    h, w = input_shape
    row_starts = list(range(0, h - kh, stride)) or [0]
    col_starts = list(range(0, w - kw, stride)) or [0]
    A = np.zeros((len(row_starts) * len(col_starts), h * w), dtype=kernel.dtype)
    for a, r in enumerate(row_starts):
        for b, c in enumerate(col_starts):
            image = np.zeros((h, w), dtype=kernel.dtype)
            image[r:r + kh, c:c + kw] = kernel
            A[a * len(col_starts) + b] = image.ravel()
    return A
