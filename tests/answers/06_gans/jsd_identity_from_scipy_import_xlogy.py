# expect: pass
"""`from scipy.special import rel_entr, xlogy` (SciPy ufuncs, each 0 at 0 log 0), imported by name."""
from scipy.special import rel_entr, xlogy


def jensen_shannon(p, q, dx):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    m = (p + q) / 2
    return 0.5 * (np.sum(rel_entr(p, m)) + np.sum(rel_entr(q, m))) * dx


def value_at_optimum(p, q, dx):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    return np.sum(xlogy(p, p) - xlogy(p, p + q) + xlogy(q, q) - xlogy(q, p + q)) * dx
