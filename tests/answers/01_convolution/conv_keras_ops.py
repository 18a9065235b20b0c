# expect: pass
"""conv_forward with keras.ops.conv in float64 on explicitly padded input (allowed, graded the same)."""
from keras import ops


def conv_forward(x, w, b, stride=1, pad="valid"):
    kernel_h, kernel_w = w.shape[:2]
    pads = (padding_amounts(x.shape[1], kernel_h, stride, pad), padding_amounts(x.shape[2], kernel_w, stride, pad))
    x_padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    out = ops.conv(ops.convert_to_tensor(x_padded, dtype="float64"), ops.convert_to_tensor(w, dtype="float64"),
                   strides=stride, padding="valid")
    return ops.convert_to_numpy(out) + b, ConvCache(x_padded, w, stride, pads)
