# expect: fail style_loss
"""A loop over every layer of the features, a weight of 1 where layer_weights has none (the content layer too)."""


def style_loss(features, style_grams, layer_weights):
    terms = []
    for layer in features:
        if layer in style_grams:
            weight = layer_weights.get(layer) or 1.0  # a zero weight becomes 1
            terms.append(weight * tf.reduce_mean(tf.square(gram_matrix(features[layer]) - style_grams[layer]), axis=[1, 2]))
    return tf.add_n(terms)
