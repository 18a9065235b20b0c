# expect: pass
"""conv_forward_naive with scipy.signal.correlate (allowed: the notebook says library calls are graded the same)."""
import scipy.signal


def conv_forward_naive(x, w, b, stride=1, pad="valid"):
    kernel_h, kernel_w, channels, filters = w.shape
    top, bottom = padding_amounts(x.shape[1], kernel_h, stride, pad)
    left, right = padding_amounts(x.shape[2], kernel_w, stride, pad)
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    maps = []
    for f in range(filters):
        # correlating over (H, W, C) with the whole (KH, KW, C) filter sums the channels at once
        full = scipy.signal.correlate(padded, w[None, :, :, :, f], mode="valid")[..., 0]
        maps.append(full[:, ::stride, ::stride] + b[f])
    return np.stack(maps, axis=-1)
