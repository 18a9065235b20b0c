# expect: pass
"""keras.ops: flatten the positions, transpose, matmul, mean instead of a division."""


def gram_matrix(features):
    features = keras.ops.convert_to_tensor(features, dtype="float32")
    batch, height, width, channels = keras.ops.shape(features)
    flat = keras.ops.reshape(features, (batch, height * width, channels))
    outer = keras.ops.expand_dims(flat, 3) * keras.ops.expand_dims(flat, 2)  # (N, HW, C, C)
    return keras.ops.mean(outer, axis=1)
