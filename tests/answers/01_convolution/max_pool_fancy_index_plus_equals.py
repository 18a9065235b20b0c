# expect: fail max_pool
# says: np.add.at
"""``dx[idx] += dout`` with fancy indices: an input that is the max of overlapping windows gets one gradient."""


def max_pool_backward(dout, cache):
    x, pool_size, stride = cache
    n, h_out, w_out, channels = dout.shape
    u, v = np.divmod(pool_windows(x, pool_size, stride).reshape(n, h_out, w_out, channels, -1).argmax(-1), pool_size)
    rows = np.arange(h_out)[None, :, None, None] * stride + u
    cols = np.arange(w_out)[None, None, :, None] * stride + v
    dx = np.zeros(x.shape)
    dx[np.arange(n)[:, None, None, None], rows, cols, np.arange(channels)] += dout
    return dx
