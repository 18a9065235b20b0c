# expect: fail avg_pool
"""Average-pool backward that forgets to divide by pool_size**2."""

_solution_avg_pool_backward = avg_pool_backward


def avg_pool_backward(dout, cache):
    return _solution_avg_pool_backward(dout, cache) * cache.pool_size**2
