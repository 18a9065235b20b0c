# expect: fail style_loss
"""Each layer's term as the Frobenius norm of the Gram difference (not squared, not a mean)."""


def style_loss(features, style_grams, layer_weights):
    total = 0.0
    for layer, weight in layer_weights.items():
        difference = gram_matrix(features[layer]) - style_grams[layer]
        total += weight * tf.norm(difference, axis=[-2, -1])
    return total
