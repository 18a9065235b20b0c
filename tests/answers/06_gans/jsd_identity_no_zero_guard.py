# expect: fail jsd_identity
"""p log(p / m) summed everywhere: NaN where p = 0."""


def jensen_shannon(p, q, dx):
    m = (p + q) / 2
    return 0.5 * np.sum(p * np.log(p / m)) * dx + 0.5 * np.sum(q * np.log(q / m)) * dx
