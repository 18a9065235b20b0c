# expect: pass
"""im2col by np.lib.stride_tricks.as_strided, the strides computed by hand."""


def im2col(x_padded, kernel_h, kernel_w, stride):
    n, height, width, channels = x_padded.shape
    h_out, w_out = 1 + (height - kernel_h) // stride, 1 + (width - kernel_w) // stride
    sn, sh, sw, sc = x_padded.strides
    windows = np.lib.stride_tricks.as_strided(
        x_padded, shape=(n, h_out, w_out, kernel_h, kernel_w, channels),
        strides=(sn, sh * stride, sw * stride, sh, sw, sc), writeable=False)
    return windows.reshape(n * h_out * w_out, kernel_h * kernel_w * channels)
