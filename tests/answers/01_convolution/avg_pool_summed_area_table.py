# expect: pass
"""Average pooling by a summed-area table (integral image), forward and backward.

Right in float64, but each window is a difference of large prefix sums, so
values that are exactly 0 in a direct sum come out as ~1e-16 here.
"""


def _box_sums(values, size):
    """Sums of every (size x size) window of values (N, H, W, C), stride 1, via an integral image."""
    table = np.pad(values.cumsum(axis=1).cumsum(axis=2), ((0, 0), (1, 0), (1, 0), (0, 0)))
    return table[:, size:, size:] - table[:, :-size, size:] - table[:, size:, :-size] + table[:, :-size, :-size]


def avg_pool_forward(x, pool_size=2, stride=2):
    return _box_sums(x, pool_size)[:, ::stride, ::stride] / pool_size**2, PoolCache(x, pool_size, stride)


def avg_pool_backward(dout, cache):
    """dx[p] = sum of dout / k^2 over the windows holding p: a box sum of the dilated, fully padded dout."""
    x, pool_size, stride = cache
    n, h_out, w_out, channels = dout.shape
    dilated = np.zeros((n, x.shape[1], x.shape[2], channels))
    dilated[:, :(h_out - 1) * stride + 1:stride, :(w_out - 1) * stride + 1:stride] = dout / pool_size**2
    padded = np.pad(dilated, ((0, 0), (pool_size - 1, 0), (pool_size - 1, 0), (0, 0)))
    return _box_sums(padded, pool_size)
