# expect: fail avg_pool
"""Average-pool forward that divides the window's sum by pool_size instead of pool_size**2."""


def avg_pool_forward(x, pool_size=2, stride=2):
    return pool_windows(x, pool_size, stride).sum(axis=(4, 5)) / pool_size, PoolCache(x, pool_size, stride)
