# expect: pass
"""conv_backward with loops over output positions: every window adds its share to dx, dw, db."""


def conv_backward(dout, cache):
    x_padded, w, stride, ((top, bottom), (left, right)) = cache
    n, padded_h, padded_w, _ = x_padded.shape
    kernel_h, kernel_w, _, _ = w.shape
    _, h_out, w_out, _ = dout.shape
    dx_padded, dw, db = np.zeros(x_padded.shape), np.zeros(w.shape), np.zeros(w.shape[3])
    for image in range(n):
        for i in range(h_out):
            for j in range(w_out):
                rows = slice(i * stride, i * stride + kernel_h)
                cols = slice(j * stride, j * stride + kernel_w)
                g = dout[image, i, j]                                   # (F,)
                dx_padded[image, rows, cols] += w @ g                   # (KH, KW, C)
                dw += x_padded[image, rows, cols][..., None] * g
                db += g
    return dx_padded[:, top:padded_h - bottom, left:padded_w - right, :], dw, db
