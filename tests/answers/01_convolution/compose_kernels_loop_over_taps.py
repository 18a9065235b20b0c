# expect: pass
"""Composed kernel built tap by tap: each tap (p, q) of k2 adds k1 mixed by k2[p, q] at (stride p, stride q)."""


def compose_kernels(k1, k2, stride=1):
    kernel_h1, kernel_w1, channels, _ = k1.shape
    kernel_h2, kernel_w2, _, filters = k2.shape
    out = np.zeros((kernel_h1 + stride * (kernel_h2 - 1), kernel_w1 + stride * (kernel_w2 - 1), channels, filters))
    for p in range(kernel_h2):
        for q in range(kernel_w2):
            out[stride * p:stride * p + kernel_h1, stride * q:stride * q + kernel_w1] += k1 @ k2[p, q]
    return out
