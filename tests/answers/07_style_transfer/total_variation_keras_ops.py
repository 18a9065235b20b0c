# expect: pass
"""keras.ops slicing and abs, the two sums added and divided by H W C."""
from keras import ops as kops


def total_variation_loss(x):
    x = kops.convert_to_tensor(x, dtype="float32")
    _, h, w, c = x.shape
    vertical = kops.sum(kops.abs(x[:, 1:] - x[:, :-1]), axis=(1, 2, 3))
    horizontal = kops.sum(kops.abs(x[:, :, 1:] - x[:, :, :-1]), axis=(1, 2, 3))
    return (vertical + horizontal) / (h * w * c)
