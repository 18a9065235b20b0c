# expect: pass
"""Max and average pooling with loops over windows; max's gradient to np.argmax's choice (first on ties)."""


def max_pool_forward(x, pool_size=2, stride=2):
    n, height, width, channels = x.shape
    h_out, w_out = 1 + (height - pool_size) // stride, 1 + (width - pool_size) // stride
    out = np.zeros((n, h_out, w_out, channels))
    for i in range(h_out):
        for j in range(w_out):
            out[:, i, j] = x[:, i * stride:i * stride + pool_size, j * stride:j * stride + pool_size].max(axis=(1, 2))
    return out, PoolCache(x, pool_size, stride)


def max_pool_backward(dout, cache):
    x, pool_size, stride = cache
    n, h_out, w_out, channels = dout.shape
    dx = np.zeros(x.shape)
    for image in range(n):
        for c in range(channels):
            for i in range(h_out):
                for j in range(w_out):
                    window = x[image, i * stride:i * stride + pool_size, j * stride:j * stride + pool_size, c]
                    u, v = np.unravel_index(np.argmax(window), window.shape)
                    dx[image, i * stride + u, j * stride + v, c] += dout[image, i, j, c]
    return dx


def avg_pool_backward(dout, cache):
    x, pool_size, stride = cache
    _, h_out, w_out, _ = dout.shape
    dx = np.zeros(x.shape)
    for i in range(h_out):
        for j in range(w_out):
            dx[:, i * stride:i * stride + pool_size, j * stride:j * stride + pool_size] += (
                dout[:, i:i + 1, j:j + 1] / pool_size**2)
    return dx
