# expect: fail max_pool
"""Max pooling over 2x2 windows whatever pool_size says (the default hard-coded)."""


def max_pool_forward(x, pool_size=2, stride=2):
    return pool_windows(x, 2, stride).max(axis=(4, 5)), PoolCache(x, 2, stride)
