# expect: fail style_loss
# says: its own weight
"""The layers of layer_weights summed, their weights forgotten."""


def style_loss(features, style_grams, layer_weights):
    terms = [tf.reduce_mean(tf.square(gram_matrix(features[layer]) - style_grams[layer]), axis=[1, 2])
             for layer in layer_weights]
    return tf.add_n(terms)
