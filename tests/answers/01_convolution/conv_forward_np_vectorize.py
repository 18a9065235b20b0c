# expect: fail conv_speed
"""np.vectorize over the output positions: still one Python call per position."""


def conv_forward(x, w, b, stride=1, pad="valid"):
    kernel_h, kernel_w, channels, filters = w.shape
    pads = (padding_amounts(x.shape[1], kernel_h, stride, pad), padding_amounts(x.shape[2], kernel_w, stride, pad))
    x_padded = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    patches = im2col(x_padded, kernel_h, kernel_w, stride)
    weights = w.reshape(-1, filters)

    def one_position(row):
        return patches[row] @ weights + b

    out = np.vectorize(one_position, signature="()->(f)")(np.arange(len(patches)))
    h_out = 1 + (x_padded.shape[1] - kernel_h) // stride
    return out.reshape(x.shape[0], h_out, -1, filters), ConvCache(x_padded, w, stride, pads)
