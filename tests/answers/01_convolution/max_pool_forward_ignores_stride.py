# expect: fail max_pool
"""Max-pool forward over every window position (stride 1), whatever the stride."""


def max_pool_forward(x, pool_size=2, stride=2):
    return pool_windows(x, pool_size, 1).max(axis=(4, 5)), PoolCache(x, pool_size, stride)
