# expect: fail jsd_identity
"""V(G, D*) as 2 JSD, the -log 4 forgotten."""


def value_at_optimum(p, q, dx):
    return 2 * jensen_shannon(p, q, dx)
