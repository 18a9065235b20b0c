# expect: fail max_pool
"""Average pooling's routing with max's forward: every input of a window gets the gradient."""


def max_pool_backward(dout, cache):
    return avg_pool_backward(dout, cache) * cache.pool_size**2
