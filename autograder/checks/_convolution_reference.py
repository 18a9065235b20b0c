"""Ground truth for the hidden checks of 01_convolution (grader side only, never shipped).

Conventions are the notebook's: channels last, ``x: (N, H, W, C)``; kernels
``w: (KH, KW, C, F)`` as in ``tf.nn.conv2d``; biases ``b: (F,)``; "convolution"
is the cross-correlation
``y[n, i, j, f] = b[f] + sum_{u, v, c} xp[n, s*i + u, s*j + v, c] * w[u, v, c, f]``
on the zero-padded input ``xp``. ``pad`` is ``"valid"``, ``"same"``
(TensorFlow's SAME: ``H_out = ceil(H / s)``, the odd pixel of padding at the
bottom/right, a negative total clamped to 0) or an int ``p`` (``p`` zeros on
every side). Pooling is VALID: ``H_out = 1 + (H - pool_size) // stride``.

``tf_conv`` (``tf.nn.conv2d`` and ``tf.GradientTape`` in float64) is the truth
for the convolution; the NumPy references below agree with it to 1e-13 and
with TensorFlow's pooling to 1e-16 (tests/test_01_convolution_checks.py).
TensorFlow is imported lazily, inside ``tf_conv``.
"""

from __future__ import annotations

from typing import Any, Iterator, NamedTuple, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def padding_amounts(size: int, kernel: int, stride: int, pad: str | int) -> tuple[int, int]:
    """Zeros added (before, after) along one spatial axis.

    "valid": (0, 0). "same": TensorFlow's rule, ``out = ceil(size / stride)``,
    ``total = max((out - 1) * stride + kernel - size, 0)``, before = total // 2
    and the extra pixel after. int p: (p, p).
    """
    if isinstance(pad, str):
        mode = pad.lower()
        if mode == "valid":
            return 0, 0
        if mode == "same":
            out = -(-size // stride)
            total = max((out - 1) * stride + kernel - size, 0)
            return total // 2, total - total // 2
        raise ValueError(f"pad must be 'valid', 'same' or an int, got {pad!r}")
    return int(pad), int(pad)


def same_padding_total(size: int, kernel: int, stride: int) -> int:
    """SAME's total padding *before* clamping: ``(ceil(size / stride) - 1) * stride + kernel - size``."""
    return (-(-size // stride) - 1) * stride + kernel - size


def output_size(size: int, kernel: int, stride: int, pad: str | int) -> int:
    """``1 + (size + before + after - kernel) // stride``."""
    before, after = padding_amounts(size, kernel, stride, pad)
    return 1 + (size + before + after - kernel) // stride


class ConvCache(NamedTuple):
    """What the reference forward keeps for its backward pass."""

    x_shape: tuple[int, ...]
    patches: np.ndarray   # (N * H_out * W_out, KH * KW * C), rows (n, i, j), columns (u, v, c)
    w: np.ndarray         # (KH, KW, C, F)
    stride: int
    pads: tuple[tuple[int, int], tuple[int, int]]


def im2col_reference(padded: np.ndarray, kernel_h: int, kernel_w: int, stride: int) -> np.ndarray:
    """Every window of ``padded`` (N, H_p, W_p, C) as one row, columns in (u, v, c) order."""
    windows = sliding_window_view(padded, (kernel_h, kernel_w), axis=(1, 2))[:, ::stride, ::stride]
    n, h_out, w_out, channels = windows.shape[:4]
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * h_out * w_out, kernel_h * kernel_w * channels)


def conv_forward_reference(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int,
                           pad: str | int) -> tuple[np.ndarray, ConvCache]:
    """Cross-correlation, channels last. x: (N, H, W, C), w: (KH, KW, C, F), b: (F,).

    Returns out: (N, H_out, W_out, F) and a cache for :func:`conv_backward_reference`.
    """
    n, height, width, _ = x.shape
    kh, kw, _, filters = w.shape
    pads = (padding_amounts(height, kh, stride, pad), padding_amounts(width, kw, stride, pad))
    padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    h_out, w_out = 1 + (padded.shape[1] - kh) // stride, 1 + (padded.shape[2] - kw) // stride
    patches = im2col_reference(padded, kh, kw, stride)
    out = (patches @ w.reshape(-1, filters) + b).reshape(n, h_out, w_out, filters)
    return out, ConvCache(x.shape, patches, w, stride, pads)


def conv_backward_reference(dout: np.ndarray, cache: ConvCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients (dx, dw, db) of the reference convolution (scatter-add form for dx).

    dout: (N, H_out, W_out, F). Returns dx: (N, H, W, C), dw: (KH, KW, C, F), db: (F,).
    """
    n, height, width, channels = cache.x_shape
    kh, kw, _, filters = cache.w.shape
    (top, bottom), (left, right) = cache.pads
    s = cache.stride
    h_out, w_out = dout.shape[1:3]
    dw = (cache.patches.T @ dout.reshape(-1, filters)).reshape(cache.w.shape)
    db = dout.sum(axis=(0, 1, 2))
    dpadded = np.zeros((n, height + top + bottom, width + left + right, channels))
    for u in range(kh):
        for v in range(kw):
            dpadded[:, u:u + s * h_out:s, v:v + s * w_out:s, :] += dout @ cache.w[u, v].T
    return dpadded[:, top:top + height, left:left + width, :], dw, db


def _pool_windows(height: int, width: int, pool_size: int,
                  stride: int) -> Iterator[tuple[int, int, slice, slice]]:
    for i in range(1 + (height - pool_size) // stride):
        for j in range(1 + (width - pool_size) // stride):
            yield i, j, slice(i * stride, i * stride + pool_size), slice(j * stride, j * stride + pool_size)


def max_pool_reference(x: np.ndarray, pool_size: int, stride: int,
                       dout: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """VALID max pooling, x: (N, H, W, C) -> out (N, H_out, W_out, C), and dx when dout is given.

    The gradient of each window goes to its arg-max; on ties, to the first
    maximum in reading order (row by row inside the window), as the notebook says.
    """
    n, height, width, channels = x.shape
    h_out, w_out = 1 + (height - pool_size) // stride, 1 + (width - pool_size) // stride
    out = np.zeros((n, h_out, w_out, channels))
    dx = None if dout is None else np.zeros_like(x, dtype=float)
    for i, j, rows, cols in _pool_windows(height, width, pool_size, stride):
        window = x[:, rows, cols, :].reshape(n, -1, channels)
        out[:, i, j, :] = window.max(axis=1)
        if dx is not None:
            flat = window.argmax(axis=1)  # (N, C)
            for k in range(n):
                for c in range(channels):
                    u, v = divmod(int(flat[k, c]), pool_size)
                    dx[k, rows.start + u, cols.start + v, c] += dout[k, i, j, c]
    return out, dx


def avg_pool_reference(x: np.ndarray, pool_size: int, stride: int,
                       dout: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """VALID average pooling and, when dout is given, its gradient (dout / pool_size**2 per input)."""
    n, height, width, channels = x.shape
    h_out, w_out = 1 + (height - pool_size) // stride, 1 + (width - pool_size) // stride
    out = np.zeros((n, h_out, w_out, channels))
    dx = None if dout is None else np.zeros_like(x, dtype=float)
    for i, j, rows, cols in _pool_windows(height, width, pool_size, stride):
        out[:, i, j, :] = x[:, rows, cols, :].mean(axis=(1, 2))
        if dx is not None:
            dx[:, rows, cols, :] += dout[:, i, j, None, None, :] / pool_size**2
    return out, dx


def receptive_field_reference(layers: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """(size, jump) of one output unit of a stack of (kernel_size, stride) layers.

    size_l = size_{l-1} + (k_l - 1) * jump_{l-1}, jump_l = jump_{l-1} * s_l,
    starting from size_0 = jump_0 = 1 (one input pixel).
    """
    size, jump = 1, 1
    for kernel, stride in layers:
        size += (int(kernel) - 1) * jump
        jump *= int(stride)
    return size, jump


def _tf_padding(pad: str | int) -> Any:
    if isinstance(pad, str):
        return pad.upper()
    return [[0, 0], [int(pad), int(pad)], [int(pad), int(pad)], [0, 0]]


def tf_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: str | int,
            dout: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """``tf.nn.conv2d`` + bias in float64; with ``dout`` also (dx, dw, db) by GradientTape."""
    import tensorflow as tf

    xt, wt, bt = (tf.constant(np.asarray(a, dtype=np.float64)) for a in (x, w, b))
    with tf.GradientTape() as tape:
        tape.watch([xt, wt, bt])
        out = tf.nn.conv2d(xt, wt, strides=int(stride), padding=_tf_padding(pad)) + bt
    if dout is None:
        return (out.numpy(),)
    grads = tape.gradient(out, [xt, wt, bt], output_gradients=tf.constant(np.asarray(dout, dtype=np.float64)))
    return (out.numpy(), *(g.numpy() for g in grads))
