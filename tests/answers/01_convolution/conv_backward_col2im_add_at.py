# expect: pass
"""conv_backward by col2im: dpatches = dout @ W^T, scattered back with np.add.at (repeated indices add)."""


def conv_backward(dout, cache):
    x_padded, w, stride, ((top, bottom), (left, right)) = cache
    n, padded_h, padded_w, channels = x_padded.shape
    kernel_h, kernel_w, _, filters = w.shape
    _, h_out, w_out, _ = dout.shape
    flat_dout = dout.reshape(-1, filters)
    db = flat_dout.sum(axis=0)
    dw = (im2col(x_padded, kernel_h, kernel_w, stride).T @ flat_dout).reshape(w.shape)
    dpatches = (flat_dout @ w.reshape(-1, filters).T).reshape(n, h_out, w_out, kernel_h, kernel_w, channels)
    images = np.arange(n)[:, None, None, None, None]
    rows = (np.arange(h_out) * stride)[None, :, None, None, None] + np.arange(kernel_h)[None, None, None, :, None]
    cols = (np.arange(w_out) * stride)[None, None, :, None, None] + np.arange(kernel_w)[None, None, None, None, :]
    dx_padded = np.zeros(x_padded.shape)
    np.add.at(dx_padded, (images, rows, cols), dpatches)
    return dx_padded[:, top:padded_h - bottom, left:padded_w - right, :], dw, db
