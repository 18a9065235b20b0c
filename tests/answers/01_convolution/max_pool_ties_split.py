# expect: fail max_pool
"""Max-pool backward that splits the gradient evenly among tied maxima (the notebook says: the first one)."""


def max_pool_backward(dout, cache):
    x, pool_size, stride = cache
    n, h_out, w_out, channels = dout.shape
    windows = pool_windows(x, pool_size, stride)
    mask = windows == windows.max(axis=(4, 5), keepdims=True)
    grads = mask / mask.sum(axis=(4, 5), keepdims=True) * dout[..., None, None]
    dx = np.zeros(x.shape)
    for u in range(pool_size):
        for v in range(pool_size):
            dx[:, u:u + stride * h_out:stride, v:v + stride * w_out:stride] += grads[..., u, v]
    return dx
