# expect: pass
"""conv_forward with names imported from NumPy under aliases (`from numpy import einsum as contract`,
`from numpy.lib.stride_tricks import sliding_window_view as windows_of`, the ufunc `add` as `plus`)."""
from numpy import add as plus, einsum as contract, pad as zero_pad
from numpy.lib.stride_tricks import sliding_window_view as windows_of


def conv_forward(x, w, b, stride=1, pad="valid"):
    kernel_h, kernel_w, _, _ = w.shape
    pads = (padding_amounts(x.shape[1], kernel_h, stride, pad), padding_amounts(x.shape[2], kernel_w, stride, pad))
    x_padded = zero_pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    windows = windows_of(x_padded, (kernel_h, kernel_w), axis=(1, 2))[:, ::stride, ::stride]
    return plus(contract("nijcuv,uvcf->nijf", windows, w), b), ConvCache(x_padded, w, stride, pads)
