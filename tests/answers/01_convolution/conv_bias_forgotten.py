# expect: fail conv_forward_naive
# says: bias b was never added
"""The naive loop without the bias."""


def conv_forward_naive(x, w, b, stride=1, pad="valid"):
    return conv_forward(x, w, np.zeros_like(b), stride, pad)[0]
