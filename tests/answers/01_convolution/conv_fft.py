# expect: pass
"""Forward and backward by FFT (numpy.fft): correct in float64, rounding differs from a direct sum.

The forward correlates every channel pair in the frequency domain, then keeps one
position in ``stride``; dx is the full convolution of the dilated dout with w,
also by FFT; dw and db are the usual sums. Values the direct sum gives as exact
zeros come out as ~1e-17 here.
"""


def _fft_correlate_valid(images, kernels):
    """images: (N, H, W, C), kernels: (KH, KW, C, F) -> valid cross-correlation (N, H-KH+1, W-KW+1, F)."""
    n, height, width, _ = images.shape
    kernel_h, kernel_w = kernels.shape[:2]
    shape = (height, width)
    spectrum = np.fft.rfft2(images, s=shape, axes=(1, 2))                         # (N, H, W', C)
    flipped = np.fft.rfft2(kernels[::-1, ::-1], s=shape, axes=(0, 1))              # (H, W', C, F)
    full = np.fft.irfft2(np.einsum("nhwc,hwcf->nhwf", spectrum, flipped), s=shape, axes=(1, 2))
    return full[:, kernel_h - 1:, kernel_w - 1:, :]


def conv_forward(x, w, b, stride=1, pad="valid"):
    kernel_h, kernel_w = w.shape[:2]
    pads = (padding_amounts(x.shape[1], kernel_h, stride, pad), padding_amounts(x.shape[2], kernel_w, stride, pad))
    x_padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    out = _fft_correlate_valid(x_padded, w)[:, ::stride, ::stride, :] + b
    return out, ConvCache(x_padded, w, stride, pads)


def conv_backward(dout, cache):
    x_padded, w, stride, ((top, bottom), (left, right)) = cache
    n, padded_h, padded_w, channels = x_padded.shape
    kernel_h, kernel_w, _, filters = w.shape
    _, h_out, w_out, _ = dout.shape
    db = dout.sum(axis=(0, 1, 2))
    dw = np.einsum("nijcuv,nijf->uvcf",
                   sliding_window_view(x_padded, (kernel_h, kernel_w), axis=(1, 2))[:, ::stride, ::stride], dout)
    dilated = np.zeros((n, (h_out - 1) * stride + 1, (w_out - 1) * stride + 1, filters))
    dilated[:, ::stride, ::stride, :] = dout
    full = np.pad(dilated, ((0, 0), (kernel_h - 1, kernel_h - 1), (kernel_w - 1, kernel_w - 1), (0, 0)))
    dx_padded = _fft_correlate_valid(full, w[::-1, ::-1].transpose(0, 1, 3, 2))
    dx_padded = np.pad(dx_padded, ((0, 0), (0, padded_h - dx_padded.shape[1]), (0, padded_w - dx_padded.shape[2]),
                                   (0, 0)))
    return dx_padded[:, top:padded_h - bottom, left:padded_w - right, :], dw, db
