# expect: pass
"""V(G, D*) computed from the identity: -log 4 + 2 JSD (the identity is what is being checked, and it holds)."""


def jensen_shannon(p, q, dx):
    p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p / m), 0.0) + np.where(q > 0, q * np.log(q / m), 0.0)
    return 0.5 * np.sum(terms) * dx


def value_at_optimum(p, q, dx):
    return -np.log(4) + 2 * jensen_shannon(p, q, dx)
