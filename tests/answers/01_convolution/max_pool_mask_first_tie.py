# expect: pass
"""Max-pool backward by a mask of the maxima, keeping only the first one (cumsum trick) in reading order."""


def max_pool_backward(dout, cache):
    x, pool_size, stride = cache
    n, h_out, w_out, channels = dout.shape
    windows = pool_windows(x, pool_size, stride).reshape(n, h_out, w_out, channels, -1)
    is_max = windows == windows.max(axis=-1, keepdims=True)
    first = is_max & (np.cumsum(is_max, axis=-1) == 1)
    grads = (first * dout[..., None]).reshape(n, h_out, w_out, channels, pool_size, pool_size)
    dx = np.zeros(x.shape)
    for u in range(pool_size):
        for v in range(pool_size):
            dx[:, u:u + stride * h_out:stride, v:v + stride * w_out:stride] += grads[..., u, v]
    return dx
