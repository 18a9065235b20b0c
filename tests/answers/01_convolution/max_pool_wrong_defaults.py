# expect: fail max_pool
"""Right when pool_size and stride are given, but 3x3 windows 3 apart by default (the text says 2 and 2)."""


def max_pool_forward(x, pool_size=3, stride=3):
    return pool_windows(x, pool_size, stride).max(axis=(4, 5)), PoolCache(x, pool_size, stride)
