# expect: pass
"""keras.ops, a running sum, the mean written as a sum over C * C entries."""


def style_loss(features, style_grams, layer_weights):
    total = 0.0
    for layer in layer_weights:
        gram = gram_matrix(features[layer])
        channels = gram.shape[-1]
        squared = keras.ops.square(gram - keras.ops.convert_to_tensor(style_grams[layer], dtype="float32"))
        total = total + layer_weights[layer] * keras.ops.sum(squared, axis=(1, 2)) / (channels * channels)
    return total
