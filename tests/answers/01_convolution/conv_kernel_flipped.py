# expect: fail conv_forward_naive
# says: flipped kernel
"""The lecture's true convolution (kernel flipped) instead of the library's cross-correlation."""


def conv_forward_naive(x, w, b, stride=1, pad="valid"):
    return conv_forward(x, w[::-1, ::-1], b, stride, pad)[0]
