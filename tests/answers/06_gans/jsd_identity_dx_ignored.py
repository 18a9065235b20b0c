# expect: fail jsd_identity
"""Sums the terms without the grid spacing dx: a sum, not an integral."""


def jensen_shannon(p, q, dx):
    p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
    m = 0.5 * (p + q)
    keep_p, keep_q = p > 0, q > 0
    return 0.5 * np.sum(p[keep_p] * np.log(p[keep_p] / m[keep_p])) + 0.5 * np.sum(q[keep_q] * np.log(q[keep_q] / m[keep_q]))


def value_at_optimum(p, q, dx):
    p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
    real, fake = p > 0, q > 0
    return np.sum(p[real] * np.log(p[real] / (p[real] + q[real]))) + np.sum(q[fake] * np.log(q[fake] / (p[fake] + q[fake])))
