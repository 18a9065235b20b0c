# expect: fail style_loss
"""The lecture's sum over the C * C entries instead of the contract's mean."""


def style_loss(features, style_grams, layer_weights):
    terms = [weight * tf.reduce_sum(tf.square(gram_matrix(features[layer]) - style_grams[layer]), axis=[1, 2])
             for layer, weight in layer_weights.items()]
    return tf.add_n(terms)
