# expect: fail avg_pool
"""Each window *assigns* its share instead of adding it: overlapping windows overwrite each other."""


def avg_pool_backward(dout, cache):
    x, pool_size, stride = cache
    _, h_out, w_out, _ = dout.shape
    dx = np.zeros(x.shape)
    for i in range(h_out):
        for j in range(w_out):
            dx[:, i * stride:i * stride + pool_size, j * stride:j * stride + pool_size] = (
                dout[:, i:i + 1, j:j + 1] / pool_size**2)
    return dx
