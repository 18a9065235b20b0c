# expect: fail conv_backward
"""dx cropped from the full convolution without padding back the rows and columns no window reached
(right whenever every input pixel is used; wrong shape when the kernel is smaller than the stride)."""


def conv_backward(dout, cache):
    x_padded, w, stride, ((top, bottom), (left, right)) = cache
    n, padded_h, padded_w, channels = x_padded.shape
    kernel_h, kernel_w, _, filters = w.shape
    _, h_out, w_out, _ = dout.shape
    db = dout.sum(axis=(0, 1, 2))
    dw = (im2col(x_padded, kernel_h, kernel_w, stride).T @ dout.reshape(-1, filters)).reshape(w.shape)
    dilated = np.zeros((n, (h_out - 1) * stride + 1, (w_out - 1) * stride + 1, filters))
    dilated[:, ::stride, ::stride, :] = dout
    full = np.pad(dilated, ((0, 0), (kernel_h - 1, kernel_h - 1), (kernel_w - 1, kernel_w - 1), (0, 0)))
    dx_padded, _ = conv_forward(full, w[::-1, ::-1].transpose(0, 1, 3, 2), np.zeros(channels), 1, "valid")
    return dx_padded[:, top:dx_padded.shape[1] - bottom, left:dx_padded.shape[2] - right, :], dw, db
