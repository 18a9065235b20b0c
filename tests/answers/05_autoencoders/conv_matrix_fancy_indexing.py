# expect: pass
"""Vectorised: the column index of every (output, kernel tap) pair from broadcast arithmetic, one fancy assignment."""
import numpy as numpy_alias


def conv_matrix(kernel, input_shape, stride):
    kernel = numpy_alias.asarray(kernel)
    KH, KW = kernel.shape
    H, W = input_shape
    Ho, Wo = (H - KH) // stride + 1, (W - KW) // stride + 1
    oi, oj, ki, kj = numpy_alias.meshgrid(numpy_alias.arange(Ho), numpy_alias.arange(Wo),
                                          numpy_alias.arange(KH), numpy_alias.arange(KW), indexing="ij")
    rows = oi * Wo + oj
    cols = (oi * stride + ki) * W + (oj * stride + kj)
    A = numpy_alias.zeros((Ho * Wo, H * W), dtype=kernel.dtype)
    A[rows.ravel(), cols.ravel()] = numpy_alias.broadcast_to(kernel, rows.shape).ravel()
    return A
