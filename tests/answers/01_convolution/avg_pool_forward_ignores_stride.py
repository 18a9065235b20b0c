# expect: fail avg_pool
"""Average-pool forward over every window position (stride 1), whatever the stride."""


def avg_pool_forward(x, pool_size=2, stride=2):
    return pool_windows(x, pool_size, 1).mean(axis=(4, 5)), PoolCache(x, pool_size, stride)
