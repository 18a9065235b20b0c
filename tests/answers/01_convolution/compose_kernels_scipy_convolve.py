# expect: pass
"""Composed kernel from scipy.signal.convolve: full convolution of the kernels per (c, f1, f2), summed over f1."""

from scipy.signal import convolve


def compose_kernels(k1, k2, stride=1):
    dilated = np.zeros(((k2.shape[0] - 1) * stride + 1, (k2.shape[1] - 1) * stride + 1) + k2.shape[2:])
    dilated[::stride, ::stride] = k2
    # (KH1, KW1, C, F1, 1) with (KH2', KW2', 1, F1 reversed, F2): the full convolution of the spatial axes;
    # along F1 the middle entry of the "full" result is the sum of k1[..., f] k2[..., f, :] over f
    product = convolve(k1[:, :, :, :, None], dilated[:, :, None, ::-1, :], mode="full")
    return product[:, :, :, k1.shape[3] - 1, :]
