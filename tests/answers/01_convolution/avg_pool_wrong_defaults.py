# expect: fail avg_pool
"""Right when pool_size and stride are given, but windows 1 apart by default (the text says stride 2)."""


def avg_pool_forward(x, pool_size=2, stride=1):
    return pool_windows(x, pool_size, stride).mean(axis=(4, 5)), PoolCache(x, pool_size, stride)
