# expect: pass
"""scipy.special.rel_entr and xlogy, which give 0 log 0 = 0."""
from scipy import special


def jensen_shannon(p, q, dx):
    m = (np.asarray(p) + np.asarray(q)) / 2
    return 0.5 * np.sum(special.rel_entr(p, m)) * dx + 0.5 * np.sum(special.rel_entr(q, m)) * dx


def value_at_optimum(p, q, dx):
    p, q = np.asarray(p), np.asarray(q)
    total = p + q
    return (np.sum(special.xlogy(p, p) - special.xlogy(p, total)) * dx
            + np.sum(special.xlogy(q, q) - special.xlogy(q, total)) * dx)
