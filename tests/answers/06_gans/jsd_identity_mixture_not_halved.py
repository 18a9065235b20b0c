# expect: fail jsd_identity
"""m = p + q instead of (p + q) / 2: every KL term is off by log 2."""


def jensen_shannon(p, q, dx):
    p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
    m = p + q
    keep_p, keep_q = p > 0, q > 0
    return (0.5 * np.sum(p[keep_p] * np.log(p[keep_p] / m[keep_p])) * dx
            + 0.5 * np.sum(q[keep_q] * np.log(q[keep_q] / m[keep_q])) * dx)
