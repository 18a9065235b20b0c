# expect: fail max_pool
"""On ties, the gradient goes to the *last* maximum (argmax of the reversed window)."""


def max_pool_backward(dout, cache):
    x, pool_size, stride = cache
    n, h_out, w_out, channels = dout.shape
    flat = pool_windows(x, pool_size, stride).reshape(n, h_out, w_out, channels, -1)
    last = flat.shape[-1] - 1 - flat[..., ::-1].argmax(axis=-1)
    u, v = np.divmod(last, pool_size)
    rows = np.arange(h_out)[None, :, None, None] * stride + u
    cols = np.arange(w_out)[None, None, :, None] * stride + v
    dx = np.zeros(x.shape)
    np.add.at(dx, (np.arange(n)[:, None, None, None], rows, cols, np.arange(channels)), dout)
    return dx
